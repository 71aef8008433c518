#include "resources/identity/ssh_keys_resource.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string_view>

#include "engine/text.h"
#include "resources/identity/account_db.h"

namespace flamingo::identity {
namespace {

std::optional<std::string> IdentityOf(std::string_view line) {
  if (IsBlankOrComment(line)) return std::nullopt;
  std::string error;
  auto k = ParseSshKey(line, &error);
  if (!k) return std::nullopt;
  return k->Identity();
}

struct Observed {
  bool user_exists = false;
  std::string home;
  uint32_t uid = 0, gid = 0;
  std::optional<FileInfo> dir, file;
  std::string content;
};

std::vector<std::string> Recorded(const Record* record) {
  if (record == nullptr) return {};
  auto it = record->find("keys");
  if (it == record->end()) return {};
  std::vector<std::string> keys;
  for (std::string_view line : SplitLines(it->second)) keys.emplace_back(line);
  return keys;
}

}  // namespace

std::string MergeAuthorizedKeys(const std::string& current,
                                const std::vector<SshKey>& desired,
                                const std::vector<std::string>& recorded) {
  std::set<std::string> rec(recorded.begin(), recorded.end());
  std::set<std::string> placed;
  std::string out;
  for (std::string_view line : SplitLines(current)) {
    auto id = IdentityOf(line);
    if (!id) {
      out.append(line) += '\n';
      continue;
    }
    auto want =
        std::find_if(desired.begin(), desired.end(),
                     [&](const SshKey& k) { return k.Identity() == *id; });
    if (want != desired.end()) {
      if (placed.insert(*id).second) out += want->Line() + "\n";
      continue;  // a duplicate line of a managed key is dropped
    }
    if (rec.count(*id)) continue;  // ours, no longer configured
    out.append(line) += '\n';
  }
  for (const auto& k : desired) {
    if (placed.insert(k.Identity()).second) out += k.Line() + "\n";
  }
  return out;
}

Result<Observation> SshKeysResource::Observe(const SystemReader& sys,
                                             const ResourceContext& ctx) const {
  auto loaded = ReadDb(sys);
  if (!loaded.ok()) return loaded.status();
  const AccountDb* db = loaded->get();
  auto d = std::make_shared<Observed>();
  auto user = db->User(user_);
  if (user) {
    d->user_exists = true;
    d->home = user->home;
    d->uid = user->uid;
    d->gid = user->gid;
  } else if (ctx.IsProvided("user:" + user_)) {
    d->home = home_.empty() ? "/home/" + user_ : home_;
  } else if (keys_.empty()) {
    Observation o;  // orphan of a user that is gone: nothing to do
    o.detail = d;
    return o;
  } else {
    return Status::Error(At() + "user '" + user_ + "' does not exist");
  }
  if (d->home.empty() || d->home[0] != '/') {
    return Status::Error(At() + "user '" + user_ + "' has no home directory");
  }
  std::string dir = NormalizePath(d->home + "/.ssh");
  auto dst = sys.Stat(dir);
  if (!dst.ok()) return dst.status();
  if (dst->has_value()) {
    d->dir = **dst;
    if (d->dir->type != FileType::kDirectory) {
      return Status::Error(At() + dir + " is not a directory (a symlink is " +
                           "refused); fix it by hand");
    }
    auto fst = sys.Stat(dir + "/authorized_keys");
    if (!fst.ok()) return fst.status();
    if (fst->has_value()) {
      d->file = **fst;
      if (d->file->type == FileType::kRegular) {
        auto text = sys.ReadFile(dir + "/authorized_keys");
        if (!text.ok()) return text.status();
        d->content = *text;
      }
    }
  }
  Observation o;
  o.exists = d->file.has_value();
  o.detail = d;
  return o;
}

Change SshKeysResource::Diff(const Observation& o,
                             const ResourceContext& ctx) const {
  const auto* d = static_cast<const Observed*>(o.detail.get());
  if (d == nullptr || d->home.empty()) return MakeChange(Action::kNone);
  auto recorded = Recorded(ctx.record());
  std::string merged = MergeAuthorizedKeys(d->content, keys_, recorded);
  bool regular = d->file && d->file->type == FileType::kRegular;
  if (!regular && keys_.empty()) return MakeChange(Action::kNone);
  Change c = MakeChange(regular ? Action::kUpdate : Action::kCreate);
  std::set<std::string> before, after;
  for (const auto& l : SplitLines(d->content)) {
    if (auto id = IdentityOf(l)) before.insert(*id);
  }
  for (const auto& l : SplitLines(merged)) {
    if (auto id = IdentityOf(l)) after.insert(*id);
  }
  for (const auto& l : SplitLines(merged)) {
    std::string e;
    auto k = ParseSshKey(l, &e);
    if (k && !before.count(k->Identity())) {
      c.fields.push_back({"key", std::nullopt, k->Short(), false});
    }
  }
  for (const auto& l : SplitLines(d->content)) {
    std::string e;
    auto k = ParseSshKey(l, &e);
    if (k && !after.count(k->Identity())) {
      c.fields.push_back({"key", k->Short(), std::nullopt, false});
    }
  }
  if (regular && merged != d->content && c.fields.empty()) {
    c.fields.push_back({"key options", "(changed)", "(configured)", false});
  }
  if (d->user_exists) {
    if (d->dir && (d->dir->mode != 0700 || d->dir->uid != d->uid ||
                   d->dir->gid != d->gid)) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%04o %u:%u", d->dir->mode, d->dir->uid,
                    d->dir->gid);
      c.fields.push_back(
          {".ssh", buf,
           "0700 " + std::to_string(d->uid) + ":" + std::to_string(d->gid),
           false});
    }
    if (regular && (d->file->mode != 0600 || d->file->uid != d->uid ||
                    d->file->gid != d->gid)) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%04o %u:%u", d->file->mode, d->file->uid,
                    d->file->gid);
      c.fields.push_back(
          {"authorized_keys", buf,
           "0600 " + std::to_string(d->uid) + ":" + std::to_string(d->gid),
           false});
    }
  }
  if (d->file && !regular) {
    c.fields.push_back(
        {"authorized_keys", "(not a regular file)", "regular file", false});
  }
  if (c.fields.empty()) return MakeChange(Action::kNone);
  if (orphan_) {
    c.action = Action::kDelete;
    c.reason =
        "keys added by flamingo, no longer in the config; other keys kept";
  }
  return c;
}

Status SshKeysResource::Apply(System& sys, const Change&,
                              const ResourceContext& ctx,
                              Record* record) const {
  auto observed = Observe(sys, ctx);
  if (!observed.ok()) return observed.status();
  const auto* d = static_cast<const Observed*>(observed->detail.get());
  if (!d->user_exists) {
    return Status::Error("user '" + user_ + "' does not exist");
  }
  auto home = sys.Stat(d->home);
  if (!home.ok()) return home.status();
  if (!home->has_value() || (*home)->type != FileType::kDirectory) {
    return Status::Error("home directory " + d->home + " does not exist");
  }
  std::string dir = NormalizePath(d->home + "/.ssh");
  FileAttrs dir_attrs{0700, d->uid, d->gid};
  Status s =
      d->dir ? sys.SetAttrs(dir, dir_attrs) : sys.MakeDir(dir, dir_attrs);
  if (!s.ok()) return s;
  auto recorded = Recorded(record);
  std::string merged = MergeAuthorizedKeys(d->content, keys_, recorded);
  s = sys.WriteFile(dir + "/authorized_keys", merged,
                    FileAttrs{0600, d->uid, d->gid});
  if (!s.ok()) return s;
  // Keys that are ours: configured and not there before us, or recorded.
  std::set<std::string> before;
  for (const auto& l : SplitLines(d->content)) {
    if (auto id = IdentityOf(l)) before.insert(*id);
  }
  std::string keys;
  for (const auto& k : keys_) {
    bool ours = !before.count(k.Identity()) ||
                std::find(recorded.begin(), recorded.end(), k.Identity()) !=
                    recorded.end();
    if (ours) keys += k.Identity() + "\n";
  }
  if (!keys.empty()) keys.pop_back();
  if (keys.empty()) {
    record->erase("keys");
  } else {
    (*record)["keys"] = keys;
    (*record)["created"] = "true";
  }
  return Status::Ok();
}

}  // namespace flamingo::identity
