#include "resources/file_resource.h"

#include <memory>
#include <optional>

#include "engine/sha256.h"
#include "engine/text.h"
#include "resources/account_db.h"
#include "resources/file_source.h"

namespace flamingo {

namespace {

// Everything Observe learns, handed to Diff through Observation::detail.
struct FileState {
  std::string desired;  // the content (with append: the part to append)
  std::vector<std::string> notes;
  std::optional<uint32_t> uid, gid;  // nullopt: created later in this run
  bool exists = false;               // a regular file is there
  bool symlink = false;              // a symlink is there (to be replaced)
  FileInfo info;
  std::string current;
  std::vector<std::string> missing_dirs;  // top-down
  std::string current_owner;              // "user:group" names
};

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Resolves one owner part. Errors name the owner's config position.
Result<std::optional<uint32_t>> ResolveId(const std::string& name, bool is_user,
                                          const AccountDb& db,
                                          const ResourceContext& ctx,
                                          const std::string& where) {
  auto id = is_user ? db.UserId(name) : db.GroupId(name);
  if (id) return std::optional<uint32_t>(*id);
  if (name == "root") return std::optional<uint32_t>(0);
  if (AllDigits(name)) {
    // A numeric id: 0 .. 4294967294 ((uid_t)-1 means "unchanged" to chown).
    // Anything larger is an error, never wrapped (4294967296 is not root).
    if (name.size() <= 10) {
      uint64_t n = std::stoull(name);
      if (n < 0xFFFFFFFFull) {
        return std::optional<uint32_t>(static_cast<uint32_t>(n));
      }
    }
    return Status::Error(where + ": " + (is_user ? "uid " : "gid ") + name +
                         " is out of range (0 to 4294967294)");
  }
  bool provided = is_user ? ctx.IsProvided("user:" + name)
                          : ctx.IsProvided("group:" + name) ||
                                ctx.IsProvided("user:" + name);
  if (provided) return std::optional<uint32_t>();
  return Status::Error(
      where + ": unknown " + (is_user ? "user \"" : "group \"") + name +
      (is_user ? "\" (not in /etc/passwd)" : "\" (not in /etc/group)"));
}

// An ancestor a path can go through (a symlink is followed inside the root).
bool IsDirOrLink(FileType t) {
  return t == FileType::kDirectory || t == FileType::kSymlink;
}

Result<FileState> Evaluate(const FileSpec& spec, const SystemReader& sys,
                           const ResourceContext& ctx,
                           AccountDbCache* accounts) {
  FileState st;
  st.desired = spec.literal;
  for (const auto& piece : spec.pieces) {
    if (piece.source == nullptr) {
      st.desired += piece.literal;
      continue;
    }
    // file:// is read each time (another resource may write it); http(s)
    // once per run, so plan, apply and re-observation see the same bytes.
    ContentSource& source = *piece.source;
    bool remote = source.uri.rfind("file://", 0) != 0;
    std::optional<Result<std::string>>& fetched = source.fetched;
    if (!remote || !fetched.has_value()) {
      fetched = ReadSource(sys, source.uri, source.headers);
    }
    const Result<std::string>& data = *fetched;
    if (data.ok()) {
      st.desired += *data;
    } else {
      st.desired += piece.literal;
      st.notes.push_back(source.where + ": cannot read " + source.uri + " (" +
                         data.status().message() +
                         "); content written instead");
    }
  }

  // The account files are read only when a name other than root is
  // involved (most files are root's: no reads for them).
  std::shared_ptr<const AccountDb> db;
  auto load_db = [&]() -> Status {
    if (db) return Status::Ok();
    if (accounts != nullptr) {
      auto cached = accounts->Get(sys);
      if (!cached.ok()) return cached.status();
      db = std::move(*cached);
      return Status::Ok();
    }
    auto loaded = AccountDb::Load(sys);
    if (!loaded.ok()) return loaded.status();
    db = std::make_shared<const AccountDb>(std::move(*loaded));
    return Status::Ok();
  };
  const OwnerSpec& owner = spec.owner_names();
  if (owner.user == "root" && owner.group == "root") {
    st.uid = 0;
    st.gid = 0;
  } else {
    if (Status s = load_db(); !s.ok()) return s;
    auto uid = ResolveId(owner.user, true, *db, ctx, spec.owner_where());
    if (!uid.ok()) return uid.status();
    auto gid = ResolveId(owner.group, false, *db, ctx, spec.owner_where());
    if (!gid.ok()) return gid.status();
    st.uid = *uid;
    st.gid = *gid;
  }

  // The file first: when it exists, or its directory does, every ancestor
  // does (the usual case once a run has made the directory). Otherwise the
  // ancestors top-down: once one is missing, all below it are; one that is
  // not a directory is an error that names it.
  auto info = sys.Stat(spec.path);
  bool ancestors_exist = info.ok() && info->has_value();
  const std::string parent = ParentPath(spec.path);
  if (info.ok() && !ancestors_exist) {
    if (parent == "/") {
      ancestors_exist = true;
    } else {
      auto parent_info = sys.Stat(parent);
      ancestors_exist = parent_info.ok() && parent_info->has_value() &&
                        IsDirOrLink((*parent_info)->type);
    }
  }
  if (!ancestors_exist) {
    std::vector<std::string> ancestors;
    for (std::string p = parent; p != "/"; p = ParentPath(p)) {
      ancestors.insert(ancestors.begin(), p);
    }
    for (const auto& dir : ancestors) {
      if (!st.missing_dirs.empty()) {
        st.missing_dirs.push_back(dir);
        continue;
      }
      auto dir_info = sys.Stat(dir);
      if (!dir_info.ok()) return dir_info.status();
      if (!dir_info->has_value()) {
        st.missing_dirs.push_back(dir);
      } else if (!IsDirOrLink((*dir_info)->type)) {
        return Status::Error("parent " + dir +
                             " exists and is not a directory");
      }
    }
    if (!st.missing_dirs.empty()) return st;
  }
  if (!info.ok()) return info.status();
  if (info->has_value()) {
    switch ((*info)->type) {
      case FileType::kRegular: {
        st.exists = true;
        st.info = **info;
        auto content = sys.ReadFile(spec.path);
        if (!content.ok()) return content.status();
        st.current = std::move(*content);
        if (st.info.uid == 0 && st.info.gid == 0) {
          st.current_owner = "root:root";
        } else {
          if (Status s = load_db(); !s.ok()) return s;
          st.current_owner =
              db->UserName(st.info.uid) + ":" + db->GroupName(st.info.gid);
        }
        break;
      }
      case FileType::kSymlink:
        st.symlink = true;
        break;
      case FileType::kDirectory:
        return Status::Error(spec.path + " is a directory");
      case FileType::kOther:
        return Status::Error(spec.path + " exists and is not a regular file");
    }
  }
  return st;
}

// The bytes the file must end up with, or nullopt when its content is
// already converged.
std::optional<std::string> ContentToWrite(const FileSpec& spec,
                                          const FileState& st,
                                          const Record* record) {
  if (!st.exists) return st.desired;
  if (!spec.append) {
    if (st.current == st.desired) return std::nullopt;
    return st.desired;
  }
  if (st.desired.empty()) return std::nullopt;
  bool recorded = false;
  if (record != nullptr) {
    auto it = record->find(FileResource::kAppendedKey);
    recorded = it != record->end() && it->second == Sha256Hex(st.desired);
  }
  if (recorded && st.current.find(st.desired) != std::string::npos) {
    return std::nullopt;
  }
  return st.current + st.desired;
}

// With keep_foreign: the file exists and flamingo did not create it.
bool IsForeign(const FileSpec& spec, const FileState& st,
               const ResourceContext& ctx) {
  if (!spec.keep_foreign || !(st.exists || st.symlink)) return false;
  const Record* record = ctx.record();
  if (record == nullptr) return true;
  auto it = record->find("created");
  return it == record->end() || it->second != "true";
}

}  // namespace

std::string ContentFingerprint(const std::string& content) {
  return "sha256:" + Sha256Hex(content) + " (" +
         std::to_string(content.size()) + " bytes)";
}

std::vector<std::string> FileResource::Provides() const {
  return {"path:" + spec_.path};
}

std::vector<std::string> FileResource::Requires() const {
  std::vector<std::string> keys;
  for (std::string p = ParentPath(spec_.path); p != "/"; p = ParentPath(p)) {
    keys.push_back("path:" + p);
  }
  const OwnerSpec& owner = spec_.owner_names();
  if (owner.user != "root") keys.push_back("user:" + owner.user);
  if (owner.group != "root") {
    keys.push_back("group:" + owner.group);
    // A user's private group is made with the user, which may provide only
    // "user:NAME".
    if (owner.group != owner.user) keys.push_back("user:" + owner.group);
  }
  return keys;
}

int FileResource::Stage() const {
  return spec_.defer ? kStageDeferred : kStageDefault;
}

Result<Observation> FileResource::Observe(const SystemReader& sys,
                                          const ResourceContext& ctx) const {
  auto st = Evaluate(spec_, sys, ctx, accounts_.get());
  if (!st.ok()) return st.status();
  Observation obs;
  obs.exists = st->exists;
  if (st->exists) {
    obs.fields["content"] = ContentFingerprint(st->current);
    obs.fields["mode"] = FormatMode(st->info.mode);
    obs.fields["owner"] = st->current_owner;
  }
  if (IsForeign(spec_, *st, ctx)) {
    obs.notes.push_back(
        "exists and was not written by flamingo: left as it is");
  }
  obs.detail = std::make_shared<FileState>(std::move(*st));
  return obs;
}

Change FileResource::Diff(const Observation& observed,
                          const ResourceContext& ctx) const {
  const auto& st = *static_cast<const FileState*>(observed.detail.get());
  Change c = MakeChange(Action::kNone);
  if (IsForeign(spec_, st, ctx)) return c;
  const OwnerSpec& owner = spec_.owner_names();
  std::string want_owner = owner.user + ":" + owner.group;
  auto field = [&](const char* name, std::optional<std::string> before,
                   std::string after) {
    c.fields.push_back({name, std::move(before), std::move(after), false});
  };
  auto content = ContentToWrite(spec_, st, ctx.record());
  if (!st.exists) {
    c.action = st.symlink ? Action::kUpdate : Action::kCreate;
    if (st.symlink) field("type", "symlink", "file");
    field("content", std::nullopt, ContentFingerprint(*content));
    field("mode", std::nullopt, FormatMode(spec_.mode));
    field("owner", std::nullopt, want_owner);
  } else {
    if (content) {
      field("content", ContentFingerprint(st.current),
            ContentFingerprint(*content));
    }
    if ((st.info.mode & 07777) != spec_.mode) {
      field("mode", FormatMode(st.info.mode), FormatMode(spec_.mode));
    }
    if (!st.uid || !st.gid || *st.uid != st.info.uid ||
        *st.gid != st.info.gid) {
      field("owner", st.current_owner, want_owner);
    }
    if (!c.fields.empty()) c.action = Action::kUpdate;
  }
  std::string reason;
  if (c.action != Action::kNone && spec_.append && content && st.exists) {
    reason = "append " + std::to_string(st.desired.size()) + " bytes";
  }
  if (c.action != Action::kNone && !st.missing_dirs.empty()) {
    reason += (reason.empty() ? "" : "; ") +
              ("create directories " + JoinStrings(st.missing_dirs, ", "));
  }
  for (const auto& n : st.notes) reason += (reason.empty() ? "" : "; ") + n;
  c.reason = reason;
  return c;
}

Status FileResource::Apply(System& sys, const Change& /*change*/,
                           const ResourceContext& ctx, Record* record) const {
  auto st = Evaluate(spec_, sys, ctx, accounts_.get());
  if (!st.ok()) return st.status();
  if (!st->uid) {
    return Status::Error("user \"" + spec_.owner_names().user +
                         "\" does not exist");
  }
  if (!st->gid) {
    return Status::Error("group \"" + spec_.owner_names().group +
                         "\" does not exist");
  }
  FileAttrs attrs{spec_.mode, *st->uid, *st->gid};
  // As cloud-init's ensure_dir: os.makedirs (root, 0755), then only the
  // file's own directory is chowned to the file's owner.
  for (size_t i = 0; i < st->missing_dirs.size(); ++i) {
    bool own = i + 1 == st->missing_dirs.size();
    Status s =
        sys.MakeDir(st->missing_dirs[i],
                    FileAttrs{0755, own ? *st->uid : 0, own ? *st->gid : 0});
    if (!s.ok()) return s;
  }
  auto content = ContentToWrite(spec_, *st, record);
  if (content) {
    Status s = sys.WriteFile(spec_.path, *content, attrs);
    if (!s.ok()) return s;
  } else if ((st->info.mode & 07777) != spec_.mode ||
             st->info.uid != attrs.uid || st->info.gid != attrs.gid) {
    Status s = sys.SetAttrs(spec_.path, attrs);
    if (!s.ok()) return s;
  }
  if (spec_.append && !st->desired.empty() && record != nullptr) {
    (*record)[kAppendedKey] = Sha256Hex(st->desired);
  }
  return Status::Ok();
}

}  // namespace flamingo
