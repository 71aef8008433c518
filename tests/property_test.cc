// Property tests over the real binary: for random file, hostname, timezone
// and yum repository configs, apply then `plan --detailed-exitcode` exits 0,
// and a second apply changes nothing (apply twice = apply once).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "tests/blackbox.h"

namespace flamingo::blackbox {
namespace {

std::string Base64(const std::string& in) {
  static const char* t =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += t[(v >> 6) & 63];
    out += t[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8);
    out += t[v >> 18];
    out += t[(v >> 12) & 63];
    out += t[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

struct FileSpec {
  int dir;
  int index;
  std::string content;
  int mode;
  bool b64;
  bool append;
};

RC_GTEST_PROP(PropertyTest, ApplyThenPlanIsEmptyAndApplyIsIdempotent, ()) {
  const auto files =
      *rc::gen::container<std::vector<FileSpec>>(rc::gen::construct<FileSpec>(
          rc::gen::inRange(0, 3), rc::gen::inRange(0, 1000),
          rc::gen::container<std::string>(rc::gen::inRange<char>(32, 127)),
          rc::gen::element(0600, 0640, 0644, 0755, 0700),
          rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>()));
  const bool with_hostname = *rc::gen::arbitrary<bool>();
  // At most 63 characters: a longer hostname is invalid (the kernel takes
  // 64 at most) and is rejected by validation.
  const std::string host =
      ("h" + *rc::gen::container<std::string>(rc::gen::inRange<char>('a', 'z')))
          .substr(0, 63);

  // timezone: none, or one of two zones over a random /etc/localtime (none,
  // a link to either zone, a copied zone file).
  const int zone = *rc::gen::inRange(0, 3);
  const int localtime = *rc::gen::inRange(0, 4);
  const char* const kZones[] = {"Europe/Berlin", "Etc/UTC"};

  // yum_repos: up to three repositories with random options; a .repo file
  // may already be there (not flamingo's: left alone).
  const auto repo_on =
      *rc::gen::container<std::vector<bool>>(3, rc::gen::arbitrary<bool>());
  const auto repo_opts =
      *rc::gen::container<std::vector<int>>(3, rc::gen::inRange(0, 1000));
  const bool foreign_repo = *rc::gen::arbitrary<bool>();
  const char* const kRepoIds[] = {"base", "epel testing", "extra_1"};

  std::string ud = "#cloud-config\n";
  if (std::find(repo_on.begin(), repo_on.end(), true) != repo_on.end()) {
    ud += "yum_repos:\n";
    for (int id = 0; id < 3; ++id) {
      if (!repo_on[static_cast<size_t>(id)]) continue;
      int o = repo_opts[static_cast<size_t>(id)];
      ud += std::string("  ") + kRepoIds[id] +
            ":\n    baseurl: http://example.org/r" + std::to_string(o) +
            "/$basearch\n    enabled: " + (o % 2 ? "true" : "false") +
            "\n    priority: " + std::to_string(o % 99) + "\n";
      if (o % 3 == 0) ud += "    name: \"Repo " + std::to_string(o) + "\"\n";
    }
  }
  if (zone > 0) ud += std::string("timezone: ") + kZones[zone - 1] + "\n";
  if (with_hostname) ud += "hostname: " + host + "\nmanage_etc_hosts: true\n";
  ud += "write_files:\n";
  std::set<std::string> seen;
  for (const auto& f : files) {
    std::string path =
        "/srv/p" + std::to_string(f.dir) + "/f" + std::to_string(f.index);
    if (!seen.insert(path).second) continue;
    char mode[8];
    snprintf(mode, sizeof(mode), "%04o", f.mode);
    ud += "  - path: " + path + "\n    permissions: \"" + mode + "\"\n";
    if (f.append) ud += "    append: true\n";
    if (f.b64) {
      ud += "    encoding: b64\n    content: \"" + Base64(f.content) + "\"\n";
    } else {
      // A JSON-style double-quoted scalar keeps any printable text exact.
      std::string q;
      for (char c : f.content) {
        if (c == '"' || c == '\\') q += '\\';
        q += c;
      }
      ud += "    content: \"" + q + "\"\n";
    }
  }
  if (seen.empty()) ud += "  - path: /srv/empty\n";

  TempDir root;
  for (const char* z : kZones) {
    root.Write(std::string("usr/share/zoneinfo/") + z,
               std::string("TZif ") + z);
  }
  if (localtime == 3) root.Write("etc/localtime", "TZif copied");
  if (localtime == 1 || localtime == 2) {
    root.Write("etc/.keep", "");
    RC_ASSERT(
        symlink((std::string("/usr/share/zoneinfo/") + kZones[localtime - 1])
                    .c_str(),
                (root.path() + "/etc/localtime").c_str()) == 0);
  }
  if (foreign_repo) root.Write("etc/yum.repos.d/base.repo", "[base]\n");
  root.Write("var/lib/cloud/seed/nocloud/user-data", ud);
  root.Write("var/lib/cloud/seed/nocloud/meta-data", "instance-id: iid-prop\n");
  RunResult first = RunFlamingo({"apply", "--root", root.path()});
  RC_ASSERT(first.exit_code == 0);
  RunResult plan =
      RunFlamingo({"plan", "--detailed-exitcode", "--root", root.path()});
  RC_ASSERT(plan.exit_code == 0);
  auto once = TargetSnapshot(root.path());
  RunResult second = RunFlamingo({"apply", "--root", root.path()});
  RC_ASSERT(second.exit_code == 0);
  RC_ASSERT(second.out.find("Apply complete: 0 changed") != std::string::npos);
  RC_ASSERT(TargetSnapshot(root.path()) == once);
}

}  // namespace
}  // namespace flamingo::blackbox
