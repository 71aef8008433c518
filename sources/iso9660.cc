// ISO9660 reader (ECMA-119) with Joliet and Rock Ridge (NM) names.
#include <vector>

#include "sources/fs_image.h"

namespace flamingo {
namespace fsimage_internal {

namespace {

constexpr uint64_t kSector = 2048;
constexpr size_t kMaxDirBytes = 4u << 20;

struct DirRecord {
  uint32_t lba = 0;
  uint32_t size = 0;
  bool dir = false;
  std::string name;
};

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

class Iso9660 : public FsImage {
 public:
  Iso9660(std::shared_ptr<Source> src, std::string label, DirRecord root,
          bool joliet)
      : src_(std::move(src)),
        label_(std::move(label)),
        root_(root),
        joliet_(joliet) {}
  const std::string& type() const override { return type_; }
  const std::string& label() const override { return label_; }

  Result<std::optional<std::string>> ReadFile(const std::string& path,
                                              size_t max_bytes) override {
    auto found = FindFile(
        path, root_, max_bytes,
        [this](const DirRecord& d) { return ReadDir(d); },
        [](const DirRecord& e, const std::string& name) {
          return NameEquals(e.name, name);
        });
    if (!found.ok()) return found.status();
    if (!found->has_value()) return std::optional<std::string>();
    const DirRecord& cur = **found;
    std::string data;
    Status s = src_->Read(uint64_t{cur.lba} * kSector, cur.size, &data);
    if (!s.ok()) return s.WithContext(path);
    return std::optional<std::string>(std::move(data));
  }

 private:
  Result<std::vector<DirRecord>> ReadDir(const DirRecord& d) {
    if (d.size > kMaxDirBytes) return Status::Error("directory too large");
    std::string buf;
    Status s = src_->Read(uint64_t{d.lba} * kSector, d.size, &buf);
    if (!s.ok()) return s;
    std::vector<DirRecord> out;
    size_t off = 0;
    while (off < buf.size()) {
      size_t len = static_cast<unsigned char>(buf[off]);
      if (len == 0) {  // padding to the next sector
        off = (off / kSector + 1) * kSector;
        continue;
      }
      if (len < 34 || off + len > buf.size())
        return Status::Error("corrupt directory record");
      DirRecord r;
      r.lba = Le32(buf, off + 2);
      r.size = Le32(buf, off + 10);
      r.dir = (static_cast<unsigned char>(buf[off + 25]) & 2) != 0;
      size_t nlen = static_cast<unsigned char>(buf[off + 32]);
      if (33 + nlen > len)
        return Status::Error("corrupt directory record name");
      std::string raw = buf.substr(off + 33, nlen);
      bool special = nlen == 1 && (raw[0] == '\0' || raw[0] == '\1');
      if (!special) {
        if (joliet_) {
          r.name = Ucs2ToUtf8(raw, 0, nlen / 2, true);
        } else {
          r.name = raw;
          std::string rr = RockRidgeName(buf, off, len, nlen);
          if (!rr.empty()) r.name = rr;
        }
        if (!r.dir) {
          size_t semi = r.name.rfind(';');
          if (semi != std::string::npos) r.name.resize(semi);
          if (!r.name.empty() && r.name.back() == '.') r.name.pop_back();
        }
        out.push_back(std::move(r));
      }
      off += len;
    }
    return out;
  }

  // The NM entries of the System Use area, concatenated.
  static std::string RockRidgeName(const std::string& buf, size_t off,
                                   size_t len, size_t nlen) {
    size_t su = off + 33 + nlen + ((nlen % 2 == 0) ? 1 : 0);
    size_t end = off + len;
    std::string name;
    while (su + 4 <= end) {
      size_t elen = static_cast<unsigned char>(buf[su + 2]);
      if (elen < 4 || su + elen > end) break;
      if (buf[su] == 'N' && buf[su + 1] == 'M' && elen >= 5) {
        name += buf.substr(su + 5, elen - 5);
      }
      su += elen;
    }
    return name;
  }

  std::shared_ptr<Source> src_;
  std::string type_ = "iso9660";
  std::string label_;
  DirRecord root_;
  bool joliet_;
};

}  // namespace

Result<std::unique_ptr<FsImage>> OpenIso9660(std::shared_ptr<Source> src) {
  std::optional<DirRecord> primary_root, joliet_root;
  std::string primary_label, joliet_label;
  for (uint64_t sector = 16; sector < 16 + 32; ++sector) {
    std::string vd;
    Status s = src->Read(sector * kSector, kSector, &vd);
    if (!s.ok()) return s;
    if (vd.compare(1, 5, "CD001") != 0)
      return Status::Error("no ISO9660 volume descriptor");
    unsigned char type = static_cast<unsigned char>(vd[0]);
    if (type == 255) break;
    DirRecord root;
    root.lba = Le32(vd, 156 + 2);
    root.size = Le32(vd, 156 + 10);
    root.dir = true;
    if (type == 1 && !primary_root) {
      primary_root = root;
      primary_label = TrimRight(vd.substr(40, 32));
    } else if (type == 2 && vd[88] == '%' && vd[89] == '/' &&
               (vd[90] == '@' || vd[90] == 'C' || vd[90] == 'E')) {
      joliet_root = root;
      joliet_label = TrimRight(Ucs2ToUtf8(vd, 40, 16, true));
    }
  }
  if (!primary_root)
    return Status::Error("no ISO9660 primary volume descriptor");
  if (joliet_root) {
    return std::unique_ptr<FsImage>(
        new Iso9660(src, joliet_label.empty() ? primary_label : joliet_label,
                    *joliet_root, true));
  }
  return std::unique_ptr<FsImage>(
      new Iso9660(src, primary_label, *primary_root, false));
}

}  // namespace fsimage_internal
}  // namespace flamingo
