// FAT12/16/32 reader with VFAT long file names.
#include <map>
#include <vector>

#include "sources/fs_image.h"

namespace flamingo {
namespace fsimage_internal {

namespace {

constexpr size_t kMaxDirBytes = 4u << 20;

struct Entry {
  std::string long_name, short_name;
  bool dir = false;
  uint32_t cluster = 0;
  uint32_t size = 0;
};

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  return s;
}

class Vfat : public FsImage {
 public:
  const std::string& type() const override { return type_; }
  const std::string& label() const override { return label_; }

  static Result<std::unique_ptr<Vfat>> Open(std::shared_ptr<Source> src) {
    std::string bs;
    Status s = src->Read(0, 512, &bs);
    if (!s.ok()) return s;
    if (static_cast<unsigned char>(bs[510]) != 0x55 ||
        static_cast<unsigned char>(bs[511]) != 0xAA) {
      return Status::Error("no boot sector signature");
    }
    auto v = std::unique_ptr<Vfat>(new Vfat());
    v->src_ = src;
    v->bps_ = Le16(bs, 11);
    v->spc_ = static_cast<unsigned char>(bs[13]);
    uint32_t reserved = Le16(bs, 14);
    uint32_t nfats = static_cast<unsigned char>(bs[16]);
    uint32_t root_entries = Le16(bs, 17);
    uint32_t total = Le16(bs, 19) ? Le16(bs, 19) : Le32(bs, 32);
    uint32_t fat_size = Le16(bs, 22) ? Le16(bs, 22) : Le32(bs, 36);
    bool pow2 = v->bps_ && (v->bps_ & (v->bps_ - 1)) == 0;
    if (!pow2 || v->bps_ < 512 || v->bps_ > 4096 || v->spc_ == 0 ||
        (v->spc_ & (v->spc_ - 1)) != 0 || nfats == 0 || reserved == 0 ||
        fat_size == 0) {
      return Status::Error("not a FAT boot sector");
    }
    uint32_t root_sectors = (root_entries * 32 + v->bps_ - 1) / v->bps_;
    uint64_t first_data =
        uint64_t{reserved} + uint64_t{nfats} * fat_size + root_sectors;
    if (first_data >= total) return Status::Error("FAT geometry out of range");
    v->clusters_ = static_cast<uint32_t>((total - first_data) / v->spc_);
    v->bits_ = v->clusters_ < 4085 ? 12 : v->clusters_ < 65525 ? 16 : 32;
    v->fat_off_ = uint64_t{reserved} * v->bps_;
    v->fat_bytes_ = uint64_t{fat_size} * v->bps_;
    v->data_off_ = first_data * v->bps_;
    v->root_off_ = (uint64_t{reserved} + uint64_t{nfats} * fat_size) * v->bps_;
    v->root_bytes_ = root_entries * 32;
    v->root_cluster_ = v->bits_ == 32 ? Le32(bs, 44) : 0;
    std::string label = TrimRight(bs.substr(v->bits_ == 32 ? 71 : 43, 11));
    if (label == "NO NAME") label.clear();
    // The volume-label entry in the root directory wins (as blkid does).
    Result<std::vector<Entry>> root =
        v->ReadDir(Entry{"", "", true, 0, 0}, &label);
    if (!root.ok()) return root.status();
    v->label_ = label;
    return v;
  }

  Result<std::optional<std::string>> ReadFile(const std::string& path,
                                              size_t max_bytes) override {
    auto found = FindFile(
        path, Entry{"", "", true, 0, 0},  // cluster 0 = the root directory
        max_bytes, [this](const Entry& d) { return ReadDir(d, nullptr); },
        [](const Entry& e, const std::string& name) {
          return NameEquals(e.long_name, name) ||
                 NameEquals(e.short_name, name);
        });
    if (!found.ok()) return found.status();
    if (!found->has_value()) return std::optional<std::string>();
    const Entry& cur = **found;
    std::string data;
    Status s = ReadChain(cur.cluster, cur.size, &data);
    if (!s.ok()) return s.WithContext(path);
    data.resize(cur.size);
    return std::optional<std::string>(std::move(data));
  }

 private:
  Result<uint32_t> Next(uint32_t cluster) {
    std::string b;
    uint64_t off;
    size_t len = 4;
    if (bits_ == 12) {
      off = cluster + cluster / 2;
      len = 2;
    } else {
      off = uint64_t{cluster} * (bits_ / 8);
      len = bits_ / 8;
    }
    if (off + len > fat_bytes_)
      return Status::Error("cluster number outside the FAT");
    Status s = src_->Read(fat_off_ + off, len, &b);
    if (!s.ok()) return s;
    if (bits_ == 12) {
      uint32_t v = Le16(b, 0);
      v = (cluster & 1) ? v >> 4 : v & 0xFFF;
      return v >= 0xFF8 ? 0xFFFFFFFFu : v;
    }
    if (bits_ == 16) {
      uint32_t v = Le16(b, 0);
      return v >= 0xFFF8 ? 0xFFFFFFFFu : v;
    }
    uint32_t v = Le32(b, 0) & 0x0FFFFFFF;
    return v >= 0x0FFFFFF8 ? 0xFFFFFFFFu : v;
  }

  // Reads the chain from `cluster`, at most `limit` bytes (rounded up).
  Status ReadChain(uint32_t cluster, uint64_t limit, std::string* out) {
    const uint64_t csize = uint64_t{bps_} * spc_;
    out->clear();
    uint32_t steps = 0;
    while (out->size() < limit) {
      if (cluster < 2 || cluster >= clusters_ + 2)
        return Status::Error("corrupt cluster chain");
      if (++steps > clusters_) return Status::Error("cluster chain loops");
      std::string chunk;
      Status s = src_->Read(data_off_ + (uint64_t{cluster} - 2) * csize, csize,
                            &chunk);
      if (!s.ok()) return s;
      *out += chunk;
      if (out->size() >= limit) break;
      Result<uint32_t> n = Next(cluster);
      if (!n.ok()) return n.status();
      if (*n == 0xFFFFFFFFu) break;
      cluster = *n;
    }
    if (out->size() < limit && limit != kMaxDirBytes)
      return Status::Error("file shorter than its size");
    return Status::Ok();
  }

  Result<std::vector<Entry>> ReadDir(const Entry& d, std::string* label) {
    std::string buf;
    Status s = Status::Ok();
    if (d.cluster == 0 && bits_ != 32) {
      s = src_->Read(root_off_, root_bytes_, &buf);
    } else {
      s = ReadChain(d.cluster == 0 ? root_cluster_ : d.cluster, kMaxDirBytes,
                    &buf);
    }
    if (!s.ok()) return s;
    std::vector<Entry> out;
    std::map<int, std::string> lfn;
    for (size_t off = 0; off + 32 <= buf.size(); off += 32) {
      unsigned char first = static_cast<unsigned char>(buf[off]);
      if (first == 0) break;
      if (first == 0xE5) {
        lfn.clear();
        continue;
      }
      unsigned char attr = static_cast<unsigned char>(buf[off + 11]);
      if ((attr & 0x3F) == 0x0F) {
        int seq = first & 0x1F;
        if (first & 0x40) lfn.clear();
        std::string part = Ucs2ToUtf8(buf, off + 1, 5, false) +
                           Ucs2ToUtf8(buf, off + 14, 6, false) +
                           Ucs2ToUtf8(buf, off + 28, 2, false);
        size_t nul = part.find('\0');
        if (nul != std::string::npos) part.resize(nul);
        lfn[seq] = part;
        continue;
      }
      if (attr & 0x08) {
        if (label && !(attr & 0x10)) *label = TrimRight(buf.substr(off, 11));
        lfn.clear();
        continue;
      }
      Entry e;
      for (auto& [seq, part] : lfn) e.long_name += part;
      lfn.clear();
      std::string base = TrimRight(buf.substr(off, 8));
      std::string ext = TrimRight(buf.substr(off + 8, 3));
      if (first == 0x05) base[0] = static_cast<char>(0xE5);
      e.short_name = ext.empty() ? base : base + "." + ext;
      if (e.short_name == "." || e.short_name == "..") continue;
      e.dir = (attr & 0x10) != 0;
      e.cluster = (uint32_t{Le16(buf, off + 20)} << 16) | Le16(buf, off + 26);
      e.size = Le32(buf, off + 28);
      out.push_back(std::move(e));
    }
    return out;
  }

  std::shared_ptr<Source> src_;
  std::string type_ = "vfat";
  std::string label_;
  uint32_t bps_ = 0, spc_ = 0, clusters_ = 0, bits_ = 0, root_cluster_ = 0;
  uint64_t fat_off_ = 0, fat_bytes_ = 0, data_off_ = 0, root_off_ = 0,
           root_bytes_ = 0;
};

}  // namespace

Result<std::unique_ptr<FsImage>> OpenVfat(std::shared_ptr<Source> src) {
  Result<std::unique_ptr<Vfat>> v = Vfat::Open(std::move(src));
  if (!v.ok()) return v.status();
  return std::unique_ptr<FsImage>(std::move(v.value()));
}

}  // namespace fsimage_internal
}  // namespace flamingo
