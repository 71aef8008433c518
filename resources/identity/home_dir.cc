#include "resources/identity/home_dir.h"

namespace flamingo::identity {
namespace {

Status CopyTree(System& sys, const std::string& from, const std::string& to,
                uint32_t uid, uint32_t gid, int depth) {
  if (depth > 16) return Status::Ok();
  auto names = sys.ListDir(from);
  if (!names.ok()) return names.status();
  for (const auto& n : *names) {
    std::string src = from + "/" + n;
    std::string dst = to + "/" + n;
    auto st = sys.Stat(src);
    if (!st.ok()) return st.status();
    if (!st->has_value()) continue;
    const FileInfo& info = **st;
    auto existing = sys.Stat(dst);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) continue;  // never overwrite
    FileAttrs attrs{info.mode & 07777, uid, gid};
    if (info.type == FileType::kDirectory) {
      Status s = sys.MakeDir(dst, attrs);
      if (!s.ok()) return s;
      s = CopyTree(sys, src, dst, uid, gid, depth + 1);
      if (!s.ok()) return s;
    } else if (info.type == FileType::kRegular) {
      auto content = sys.ReadFile(src);
      if (!content.ok()) return content.status();
      Status s = sys.WriteFile(dst, *content, attrs);
      if (!s.ok()) return s;
    }
  }
  return Status::Ok();
}

}  // namespace

Status CreateHome(System& sys, const std::string& home, uint32_t mode,
                  uint32_t uid, uint32_t gid) {
  auto st = sys.Stat(home);
  if (!st.ok()) return st.status();
  if (st->has_value()) return Status::Ok();
  Status s = MakeDirs(sys, ParentPath(home), FileAttrs{0755, 0, 0});
  if (!s.ok()) return s.WithContext("create " + ParentPath(home));
  s = sys.MakeDir(home, FileAttrs{mode, uid, gid});
  if (!s.ok()) return s.WithContext("create home " + home);
  auto skel = sys.Stat("/etc/skel");
  if (skel.ok() && skel->has_value() && (*skel)->type == FileType::kDirectory) {
    s = CopyTree(sys, "/etc/skel", home, uid, gid, 0);
    if (!s.ok()) return s.WithContext("copy /etc/skel to " + home);
  }
  return Status::Ok();
}

}  // namespace flamingo::identity
