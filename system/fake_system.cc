#include "system/fake_system.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>

namespace flamingo {
namespace {

constexpr int kMaxSymlinkHops = 40;

Status Err(std::string_view op, std::string_view path, int err) {
  std::string what(op);
  what += ' ';
  what += path;
  return Status::FromErrno(what, err);
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

void SplitInto(std::string_view path, std::deque<std::string>* out,
               bool front) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (front) {
    out->insert(out->begin(), parts.begin(), parts.end());
  } else {
    out->insert(out->end(), parts.begin(), parts.end());
  }
}

bool IsUnder(const std::string& path, const std::string& prefix) {
  if (prefix == "/") return true;
  return path == prefix || (path.size() > prefix.size() &&
                            path.compare(0, prefix.size(), prefix) == 0 &&
                            path[prefix.size()] == '/');
}

}  // namespace

struct FakeSystem::LockTable {
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::string> held;
};

namespace {

class FakeLockHandle : public LockHandle {
 public:
  FakeLockHandle(std::shared_ptr<void> table, std::function<void()> release)
      : table_(std::move(table)), release_(std::move(release)) {}
  ~FakeLockHandle() override { release_(); }

 private:
  std::shared_ptr<void> table_;  // keeps the table alive
  std::function<void()> release_;
};

}  // namespace

FakeSystem::FakeSystem() : locks_(std::make_shared<LockTable>()) {
  Put("/", Entry{FileType::kDirectory, "", "", {0755, 0, 0}});
}

FakeSystem::~FakeSystem() = default;

void FakeSystem::Put(const std::string& canonical, Entry e) {
  e.inode = ++next_inode_;
  e.mtime = e.ctime = ++clock_;
  files_[canonical] = std::move(e);
}

// ---- Test helpers ----

void FakeSystem::AddDir(std::string_view path, const FileAttrs& attrs) {
  std::string norm = NormalizePath(path);
  if (norm.empty() || norm == "/") return;
  AddDir(ParentPath(norm), attrs);
  auto it = files_.find(norm);
  if (it != files_.end() && it->second.type == FileType::kDirectory) return;
  Put(norm, Entry{FileType::kDirectory, "", "", attrs});
}

void FakeSystem::AddFile(std::string_view path, std::string_view content,
                         const FileAttrs& attrs) {
  std::string norm = NormalizePath(path);
  if (norm.empty() || norm == "/") return;
  AddDir(ParentPath(norm));
  Put(norm, Entry{FileType::kRegular, std::string(content), "", attrs});
}

void FakeSystem::AddSymlink(std::string_view path, std::string_view target,
                            const FileAttrs& attrs) {
  std::string norm = NormalizePath(path);
  if (norm.empty() || norm == "/") return;
  AddDir(ParentPath(norm));
  Put(norm, Entry{FileType::kSymlink, "", std::string(target), attrs});
}

std::optional<FakeSystem::Entry> FakeSystem::GetFile(
    std::string_view path) const {
  auto it = files_.find(NormalizePath(path));
  if (it == files_.end()) return std::nullopt;
  return it->second;
}

std::string FakeSystem::ContentOf(std::string_view path) const {
  auto f = GetFile(path);
  return f ? f->content : "<missing>";
}

bool FakeSystem::Exists(std::string_view path) const {
  return files_.count(NormalizePath(path)) > 0;
}

std::vector<std::string> FakeSystem::AllPaths() const {
  std::vector<std::string> out;
  for (const auto& [p, e] : files_) out.push_back(p);
  return out;
}

Status FakeSystem::Sync() {
  if (!sync_fault_.empty()) return Status::Error("sync: " + sync_fault_);
  ++sync_count_;
  return Status::Ok();
}

// ---- Faults ----

void FakeSystem::FailNthMutation(int n, std::string message, bool and_after) {
  fail_at_ = n > 0 ? mutation_count_ + n : 0;
  fail_after_ = and_after;
  fail_message_ = std::move(message);
}

void FakeSystem::FailWritesUnder(std::string_view path, std::string message) {
  path_faults_[NormalizePath(path)] = std::move(message);
}

void FakeSystem::ClearFaults() {
  fail_at_ = 0;
  fail_after_ = false;
  path_faults_.clear();
}

Status FakeSystem::BeginMutation(std::string_view op, std::string_view arg) {
  ++mutation_count_;
  std::string line(op);
  line += ' ';
  line += arg;
  log_.push_back(line);
  if (fail_at_ > 0 && (mutation_count_ == fail_at_ ||
                       (fail_after_ && mutation_count_ > fail_at_))) {
    return Status::Error(line + ": " + fail_message_);
  }
  return Status::Ok();
}

Status FakeSystem::PathFault(std::string_view op, std::string_view path,
                             const std::string& canonical) const {
  for (const auto& [prefix, message] : path_faults_) {
    if (IsUnder(canonical, prefix)) {
      std::string what(op);
      what += ' ';
      what += path;
      return Status::Error(what + ": " + message);
    }
  }
  return Status::Ok();
}

// ---- Resolution ----

const FakeSystem::Entry* FakeSystem::Find(const std::string& canonical) const {
  auto it = files_.find(canonical);
  return it == files_.end() ? nullptr : &it->second;
}

bool FakeSystem::HasChildren(const std::string& canonical) const {
  std::string prefix = canonical == "/" ? "/" : canonical + "/";
  auto it = files_.upper_bound(prefix);
  return it != files_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
}

Result<std::string> FakeSystem::Resolve(std::string_view op,
                                        std::string_view path, bool follow_last,
                                        int* err) const {
  int dummy = 0;
  if (err == nullptr) err = &dummy;
  if (path.empty() || path[0] != '/') return Err(op, path, *err = EINVAL);
  std::deque<std::string> todo;
  SplitInto(path, &todo, false);
  std::vector<std::string> cur;
  int hops = 0;
  while (!todo.empty()) {
    std::string comp = std::move(todo.front());
    todo.pop_front();
    if (comp == ".") continue;
    if (comp == "..") {
      if (!cur.empty()) cur.pop_back();
      continue;
    }
    cur.push_back(comp);
    bool last = todo.empty();
    const Entry* e = Find(Join(cur));
    if (e == nullptr) {
      if (last) break;
      return Err(op, path, *err = ENOENT);
    }
    if (e->type == FileType::kSymlink && (!last || follow_last)) {
      if (++hops > kMaxSymlinkHops) return Err(op, path, *err = ELOOP);
      cur.pop_back();
      if (!e->target.empty() && e->target[0] == '/') cur.clear();
      SplitInto(e->target, &todo, true);
      continue;
    }
    if (!last && e->type != FileType::kDirectory) {
      return Err(op, path, *err = ENOTDIR);
    }
  }
  return Join(cur);
}

// ---- SystemReader ----

Result<std::optional<FileInfo>> FakeSystem::Stat(std::string_view path) const {
  int err = 0;
  auto r = Resolve("stat", path, false, &err);
  if (!r.ok()) {
    // A missing intermediate directory means the path does not exist.
    if (err == ENOENT) return std::optional<FileInfo>();
    return r.status();
  }
  const Entry* e = Find(*r);
  if (e == nullptr) return std::optional<FileInfo>();
  FileInfo info;
  info.type = e->type;
  info.mode = e->attrs.mode & 07777;
  info.uid = e->attrs.uid;
  info.gid = e->attrs.gid;
  info.size = e->type == FileType::kRegular   ? e->content.size()
              : e->type == FileType::kSymlink ? e->target.size()
                                              : 0;
  info.inode = e->inode;
  info.mtime_ns = e->mtime;
  info.ctime_ns = e->ctime;
  return std::optional<FileInfo>(info);
}

Result<std::string> FakeSystem::ReadFile(std::string_view path) const {
  auto r = Resolve("read", path, /*follow_last=*/true);
  if (!r.ok()) return r.status();
  const Entry* e = Find(*r);
  if (e == nullptr) return Err("read", path, ENOENT);
  if (e->type == FileType::kDirectory) return Err("read", path, EISDIR);
  if (e->type != FileType::kRegular) {
    return Status::Error("read " + std::string(path) + ": not a regular file");
  }
  return e->content;
}

Result<std::vector<std::string>> FakeSystem::ListDir(
    std::string_view path) const {
  auto r = Resolve("listdir", path, true);
  if (!r.ok()) return r.status();
  const Entry* e = Find(*r);
  if (e == nullptr) return Err("listdir", path, ENOENT);
  if (e->type != FileType::kDirectory) return Err("listdir", path, ENOTDIR);
  std::string prefix = *r == "/" ? "/" : *r + "/";
  std::vector<std::string> names;
  for (auto it = files_.upper_bound(prefix); it != files_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    std::string rest = it->first.substr(prefix.size());
    if (rest.find('/') == std::string::npos) names.push_back(rest);
  }
  return names;  // std::map order is sorted
}

Result<std::string> FakeSystem::ReadLink(std::string_view path) const {
  auto r = Resolve("readlink", path, false);
  if (!r.ok()) return r.status();
  const Entry* e = Find(*r);
  if (e == nullptr) return Err("readlink", path, ENOENT);
  if (e->type != FileType::kSymlink) return Err("readlink", path, EINVAL);
  return e->target;
}

// ---- System ----

Result<std::unique_ptr<LockHandle>> FakeSystem::Lock(std::string_view path,
                                                     int timeout_seconds) {
  auto r = Resolve("lock", path, false);
  if (!r.ok()) return r.status();
  const Entry* e = Find(*r);
  if (e == nullptr) {
    const Entry* parent = Find(ParentPath(*r));
    if (parent == nullptr) return Err("lock", path, ENOENT);
    Put(*r, Entry{FileType::kRegular, "", "", {0600, 0, 0}});
  } else if (e->type == FileType::kSymlink) {
    return Err("lock", path, ELOOP);
  } else if (e->type != FileType::kRegular) {
    return Err("lock", path, EISDIR);
  }
  std::shared_ptr<LockTable> table = locks_;
  std::unique_lock<std::mutex> lk(table->mu);
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  std::string key = *r;
  while (table->held.count(key) > 0) {
    if (table->cv.wait_until(lk, deadline) == std::cv_status::timeout &&
        table->held.count(key) > 0) {
      return Status::Error("lock " + std::string(path) +
                           ": held by another process (timed out after " +
                           std::to_string(timeout_seconds) + "s)");
    }
  }
  table->held.insert(key);
  LockTable* raw = table.get();
  return std::unique_ptr<LockHandle>(new FakeLockHandle(table, [raw, key] {
    std::lock_guard<std::mutex> g(raw->mu);
    raw->held.erase(key);
    raw->cv.notify_all();
  }));
}

Status FakeSystem::WriteFile(std::string_view path, std::string_view content,
                             const FileAttrs& attrs) {
  Status f = BeginMutation("write", path);
  if (!f.ok()) return f;
  return PutFile(path, content, attrs);
}

Status FakeSystem::WriteFileVolatile(std::string_view path,
                                     std::string_view content,
                                     const FileAttrs& attrs) {
  Status f = BeginMutation("write", path);
  log_.back().insert(0, "volatile ");
  if (!f.ok()) return f;
  return PutFile(path, content, attrs);
}

Status FakeSystem::PutFile(std::string_view path, std::string_view content,
                           const FileAttrs& attrs) {
  Status f;
  auto r = Resolve("write", path, false);
  if (!r.ok()) return r.status();
  if (*r == "/") return Err("write", path, EISDIR);
  f = PathFault("write", path, *r);
  if (!f.ok()) return f;
  const Entry* parent = Find(ParentPath(*r));
  if (parent == nullptr) return Err("write", path, ENOENT);
  const Entry* e = Find(*r);
  if (e != nullptr && e->type == FileType::kDirectory) {
    return Err("write", path, EISDIR);
  }
  Put(*r, Entry{FileType::kRegular, std::string(content), "", attrs});
  return Status::Ok();
}

Status FakeSystem::AppendLog(std::string_view path, std::string_view text,
                             const FileAttrs& attrs) {
  Status f = BeginMutation("append", path);
  if (!f.ok()) return f;
  auto r = Resolve("append", path, false);
  if (!r.ok()) return r.status();
  if (*r == "/") return Err("append", path, EISDIR);
  f = PathFault("append", path, *r);
  if (!f.ok()) return f;
  if (Find(ParentPath(*r)) == nullptr) return Err("append", path, ENOENT);
  const Entry* e = Find(*r);
  if (e != nullptr && e->type != FileType::kRegular) {
    return Err("append", path,
               e->type == FileType::kDirectory ? EISDIR : ELOOP);
  }
  Entry next = e != nullptr ? *e : Entry{FileType::kRegular, "", "", attrs};
  if (!next.content.empty() && next.content.back() != '\n') {
    next.content += '\n';
  }
  next.content += text;
  Put(*r, std::move(next));
  return Status::Ok();
}

Status FakeSystem::MakeSymlink(std::string_view path, std::string_view target) {
  Status f = BeginMutation("symlink", path);
  if (!f.ok()) return f;
  if (target.empty()) {
    return Status::Error("symlink " + std::string(path) + ": empty target");
  }
  auto r = Resolve("symlink", path, false);
  if (!r.ok()) return r.status();
  if (*r == "/") return Err("symlink", path, EISDIR);
  f = PathFault("symlink", path, *r);
  if (!f.ok()) return f;
  if (Find(ParentPath(*r)) == nullptr) return Err("symlink", path, ENOENT);
  const Entry* e = Find(*r);
  if (e != nullptr && e->type == FileType::kDirectory) {
    return Err("symlink", path, EISDIR);
  }
  Put(*r, Entry{FileType::kSymlink, "", std::string(target),
                FileAttrs{0777, 0, 0}});
  return Status::Ok();
}

Status FakeSystem::RenameFile(std::string_view from, std::string_view to) {
  Status f = BeginMutation("rename", from);
  if (!f.ok()) return f;
  auto src = Resolve("rename", from, false);
  if (!src.ok()) return src.status();
  auto dst = Resolve("rename", to, false);
  if (!dst.ok()) return dst.status();
  if (ParentPath(*src) != ParentPath(*dst)) {
    return Status::Error("rename " + std::string(from) + " to " +
                         std::string(to) + ": not in the same directory");
  }
  const Entry* e = Find(*src);
  if (e == nullptr) return Err("rename", from, ENOENT);
  if (e->type != FileType::kRegular) {
    return Status::Error("rename " + std::string(from) +
                         ": not a regular file");
  }
  const Entry* old = Find(*dst);
  if (old != nullptr && old->type == FileType::kDirectory) {
    return Err("rename", to, EISDIR);
  }
  Entry moved = *e;
  files_.erase(*src);
  Put(*dst, std::move(moved));
  return Status::Ok();
}

Status FakeSystem::MakeDir(std::string_view path, const FileAttrs& attrs) {
  Status f = BeginMutation("mkdir", path);
  if (!f.ok()) return f;
  auto r = Resolve("mkdir", path, false);
  if (!r.ok()) return r.status();
  f = PathFault("mkdir", path, *r);
  if (!f.ok()) return f;
  const Entry* e = Find(*r);
  if (e != nullptr) {
    if (e->type == FileType::kDirectory) return Status::Ok();
    return Err("mkdir", path, EEXIST);
  }
  if (Find(ParentPath(*r)) == nullptr) return Err("mkdir", path, ENOENT);
  Put(*r, Entry{FileType::kDirectory, "", "", attrs});
  return Status::Ok();
}

Status FakeSystem::SetAttrs(std::string_view path, const FileAttrs& attrs) {
  Status f = BeginMutation("chattr", path);
  if (!f.ok()) return f;
  auto r = Resolve("chattr", path, false);
  if (!r.ok()) return r.status();
  f = PathFault("chattr", path, *r);
  if (!f.ok()) return f;
  auto it = files_.find(*r);
  if (it == files_.end()) return Err("chattr", path, ENOENT);
  if (it->second.type == FileType::kSymlink) {
    return Status::Error("chattr " + std::string(path) +
                         ": refusing to change a symlink");
  }
  it->second.attrs = attrs;
  it->second.ctime = ++clock_;
  return Status::Ok();
}

Status FakeSystem::Remove(std::string_view path) {
  Status f = BeginMutation("remove", path);
  if (!f.ok()) return f;
  return RemoveEntry(path);
}

Status FakeSystem::RemoveVolatile(std::string_view path) {
  Status f = BeginMutation("remove", path);
  log_.back().insert(0, "volatile ");
  if (!f.ok()) return f;
  return RemoveEntry(path);
}

Status FakeSystem::RemoveEntry(std::string_view path) {
  Status f;
  int err = 0;
  auto r = Resolve("remove", path, false, &err);
  if (!r.ok()) return err == ENOENT ? Status::Ok() : r.status();
  if (*r == "/") return Err("remove", path, EBUSY);
  f = PathFault("remove", path, *r);
  if (!f.ok()) return f;
  const Entry* e = Find(*r);
  if (e == nullptr) return Status::Ok();
  if (e->type == FileType::kDirectory && HasChildren(*r)) {
    return Err("remove", path, ENOTEMPTY);
  }
  files_.erase(*r);
  return Status::Ok();
}

Status FakeSystem::SetKernelHostname(std::string_view name) {
  Status f = BeginMutation("sethostname", name);
  if (!f.ok()) return f;
  if (!live_) {
    return Status::Error("sethostname: not live (running with --root)");
  }
  hostname_ = std::string(name);
  return Status::Ok();
}

Result<ExecResult> FakeSystem::Exec(const ExecRequest& request) {
  Status f = BeginMutation(
      "exec", request.argv.empty() ? std::string() : request.argv[0]);
  if (!f.ok()) return f;
  if (request.argv.empty()) return Status::Error("exec: empty argv");
  execs_.push_back(request);
  Result<ExecResult> result = exec_ ? exec_(request) : ExecResult{};
  if (!result.ok() || request.output_path.empty()) return result;
  auto r = Resolve("exec output", request.output_path, false);
  if (!r.ok()) return r.status();
  if (Find(ParentPath(*r)) == nullptr) {
    return Err("exec output", request.output_path, ENOENT);
  }
  auto it = files_.find(*r);
  if (it == files_.end()) {
    it = files_.emplace(*r, Entry{FileType::kRegular, "", "", {0600, 0, 0}})
             .first;
  } else if (it->second.type != FileType::kRegular) {
    return Err("exec output", request.output_path, ELOOP);
  }
  it->second.content += result->output_tail;
  it->second.mtime = it->second.ctime = ++clock_;
  return result;
}

Status FakeSystem::ExecAfterExit(const DeferredExec& deferred) {
  if (Status c = CheckDeferredExec(deferred); !c.ok()) return c;
  Status f = BeginMutation("exec-after-exit", deferred.steps.back().argv[0]);
  if (!f.ok()) return f;
  deferred_.push_back(deferred);
  return Status::Ok();
}

}  // namespace flamingo
