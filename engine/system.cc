#include "engine/system.h"

#include <vector>

namespace flamingo {

std::string ParentPath(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string NormalizePath(std::string_view path) {
  if (path.empty() || path[0] != '/') return "";
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part.empty() || part == ".") {
    } else if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(part);
    }
    i = j;
  }
  std::string out;
  for (auto p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

Result<std::optional<std::string>> ReadRegularFile(const SystemReader& sys,
                                                   std::string_view path) {
  auto st = sys.Stat(path);
  if (!st.ok()) return st.status();
  if (!st->has_value()) return std::optional<std::string>();
  if ((*st)->type != FileType::kRegular) {
    return Status::Error(std::string(path) +
                         " exists and is not a regular file");
  }
  auto text = sys.ReadFile(path);
  if (!text.ok()) return text.status();
  return std::optional<std::string>(std::move(*text));
}

Status MakeDirs(System& sys, std::string_view path, const FileAttrs& attrs) {
  std::string norm = NormalizePath(path);
  if (norm.empty())
    return Status::Error("not an absolute path: " + std::string(path));
  if (norm == "/") return Status::Ok();
  auto st = sys.Stat(norm);
  if (!st.ok()) return st.status();
  if (st->has_value()) {
    // A symlink is resolved inside the root by the real system; whether it
    // leads to a directory shows when something is created below it.
    if ((*st)->type == FileType::kDirectory ||
        (*st)->type == FileType::kSymlink) {
      return Status::Ok();
    }
    return Status::Error(norm + ": exists and is not a directory");
  }
  Status parent = MakeDirs(sys, ParentPath(norm), attrs);
  if (!parent.ok()) return parent;
  return sys.MakeDir(norm, attrs);
}

bool SameFileVersion(const std::optional<FileInfo>& a,
                     const std::optional<FileInfo>& b) {
  if (!a || !b) return !a && !b;
  if (a->inode == 0 && a->mtime_ns == 0 && a->ctime_ns == 0) return false;
  return a->type == b->type && a->mode == b->mode && a->uid == b->uid &&
         a->gid == b->gid && a->size == b->size && a->inode == b->inode &&
         a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

Result<std::string> System::Collect(const ContentProducer& produce) {
  std::string content;
  Status s = produce([&content](std::string_view piece) {
    content.append(piece);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return content;
}

Status CheckDeferredExec(const DeferredExec& deferred) {
  if (deferred.steps.empty()) return Status::Error("exec after exit: no step");
  for (const ExecRequest& r : deferred.steps) {
    if (r.argv.empty()) return Status::Error("exec after exit: empty argv");
  }
  return Status::Ok();
}

}  // namespace flamingo
