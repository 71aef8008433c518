#include "resources/yum_repos.h"

#include <algorithm>
#include <memory>
#include <set>

#include "engine/system.h"
#include "engine/text.h"
#include "resources/file_resource.h"

namespace flamingo {

namespace {

// The option's value as yum reads it: booleans 1/0 (cloud-init writes them
// so), further lines of a multi-line value indented.
std::string RepoValue(const Value& v) {
  std::string text = v.is_bool() ? (v.as_bool() ? "1" : "0") : v.ScalarText();
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "    ";
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) {
    out.pop_back();
  }
  return out;
}

}  // namespace

std::string RenderYumRepo(const std::string& id, const Value& repo) {
  std::string out = "# Written by flamingo (cloud-config yum_repos)\n";
  out += "[" + id + "]\n";
  for (const auto& [key, value] : repo.entries()) {
    if (!value.is_scalar() || value.is_null()) continue;
    out += AsciiLower(key) + " = " + RepoValue(value) + "\n";
  }
  return out;
}

void CompileYumRepos(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags) {
  if (!in.config.is_map()) return;
  const Value* repos = in.config.Get("yum_repos");
  if (repos == nullptr || repos->is_null() || !repos->is_map()) return;
  std::string dir = kDefaultYumRepoDir;
  bool dir_ok = true;
  if (const Value* d = in.config.Get("yum_repo_dir");
      d != nullptr && d->is_string() && !d->text().empty()) {
    dir_ok = d->text()[0] == '/';
    if (!dir_ok) {
      diags->Error(*d, "must be an absolute path, not \"" + d->text() + "\"");
    }
    dir = NormalizePath(dir_ok ? d->text() : "/" + d->text());
  }
  std::set<std::string> seen;
  for (const auto& [raw_id, repo] : repos->entries()) {
    if (!repo.is_map()) continue;  // the schema reports it
    std::string id = raw_id;
    std::replace(id.begin(), id.end(), ' ', '_');
    if (id.find('/') != std::string::npos || id == "." || id == ".." ||
        id.empty()) {
      diags->AddAtKey(repo, Severity::kError, repo.path(),
                      "repository id \"" + raw_id +
                          "\" cannot name a .repo file (no '/', and not "
                          "\".\" or \"..\")");
      continue;
    }
    if (!seen.insert(id).second) {
      diags->AddAtKey(repo, Severity::kError, repo.path(),
                      "repository id \"" + raw_id + "\" names " + id +
                          ".repo, as an earlier one does");
      continue;
    }
    if (repo.Get("baseurl") == nullptr && repo.Get("metalink") == nullptr &&
        repo.Get("mirrorlist") == nullptr) {
      diags->Error(repo, "repository \"" + raw_id +
                             "\" needs baseurl, metalink or mirrorlist");
      continue;
    }
    FileSpec spec;
    spec.kind = "yum_repo";
    spec.keep_foreign = true;
    spec.path = NormalizePath(dir + "/" + id + ".repo");
    spec.mode = 0644;
    spec.literal = RenderYumRepo(id, repo);
    spec.origin = repo.Position();
    if (dir_ok) out->Add(std::make_unique<FileResource>(std::move(spec)));
  }
}

}  // namespace flamingo
