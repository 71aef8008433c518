// libFuzzer target: the parsers of files flamingo reads from the system it
// manages, which can hold anything (an image's own files, another tool's
// edits, damage): the account files with login.defs, sshd_config, unit
// files and /etc/hosts. None may crash, and the round trips they promise
// hold: an account table serializes back to its text when nothing was
// edited, the hosts block reads back as written, SetOption's value is what
// GetOption then finds. The input is split at NUL bytes into the pieces.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "resources/hosts_file.h"
#include "resources/identity/account_db.h"
#include "resources/identity/account_table.h"
#include "resources/identity/sshd_config.h"
#include "resources/unit_file.h"

namespace {

std::vector<std::string> Pieces(std::string_view text, size_t n) {
  std::vector<std::string> out(n);
  size_t i = 0;
  for (char c : text) {
    if (c == '\0' && i + 1 < n) {
      ++i;
    } else {
      out[i].push_back(c);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace flamingo;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // passwd, shadow, group, gshadow, login.defs, sshd_config, unit, hosts
  const std::vector<std::string> p = Pieces(text, 8);

  const std::string whole =
      p[0].empty() || p[0].back() == '\n' ? p[0] : p[0] + "\n";
  for (size_t fields : {7u, 9u, 4u}) {
    identity::AccountTable t = identity::AccountTable::Parse(p[0], fields);
    if (t.Serialize() != whole) std::abort();
  }
  identity::AccountDb db = identity::AccountDb::FromText(
      p[0], &p[1], p[2], &p[3], p[4], /*now=*/1700000000);
  (void)db.NextUid(false);
  (void)db.NextUid(true);
  (void)db.NextGid(false);
  (void)db.NextGid(true);
  if (auto u = db.User("root")) (void)db.GroupsOf(u->name);
  // Member edits on the input's own groups (whatever their member lists
  // hold), then the tables must still parse back to the same entries.
  for (const auto* g : db.group().Entries()) {
    const std::string name((*g)[0]);
    db.AddMember(name, "fuzzmember");
    db.RemoveMember(name, "fuzzmember");
    db.RemoveMember(name, "root");
    break;
  }
  for (const identity::AccountTable* t : {&db.group(), &db.gshadow()}) {
    auto again =
        identity::AccountTable::Parse(t->Serialize(), t->field_count());
    auto a = t->Entries(), b = again.Entries();
    if (a.size() != b.size()) std::abort();
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i]->ToVector() != b[i]->ToVector()) std::abort();
    }
  }
  if (!db.User("fuzzuser") && !db.Group("fuzzgrp")) {
    if (auto gid = db.NextGid(false)) {
      db.AddGroup("fuzzgrp", *gid);
      identity::UserView u;
      u.name = "fuzzuser";
      u.uid = db.NextUid(false).value_or(60000);
      u.gid = *gid;
      u.home = "/home/fuzzuser";
      u.shell = "/bin/sh";
      db.AddUser(u);
      db.AddMember("fuzzgrp", "fuzzuser");
      db.RemoveUser("fuzzuser");
      db.RemoveGroup("fuzzgrp");
    }
  }

  (void)identity::IncludesDropIn(p[5], "sshd_config.d/*.conf",
                                 {"PasswordAuthentication"});
  std::string set = identity::SetOption(p[5], "PasswordAuthentication", "no");
  auto got = identity::GetOption(set, "PasswordAuthentication");
  if (!got || *got != "no") std::abort();

  ParsedUnit unit = ParseUnitFile(p[6]);
  (void)ParseInstall(unit);

  (void)ManagedHostsLines(p[7]);
  std::vector<std::string> want =
      DesiredHostsLines(p[7], "host", "host.example.com");
  std::string hosts = RewriteHosts(p[7], want);
  if (ManagedHostsLines(hosts) != want) std::abort();
  return 0;
}
