// FileText: a file's bytes, read once from front to back by a parser, held
// either as a copy or as a read-only mapping of the file. A mapping's pages
// that the parser has passed can be given back while it goes on (Release):
// the state file of 10,000 resources is 3 MB, and reading it whole was the
// largest part of a second plan's or apply's peak memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace flamingo {

class FileText {
 public:
  FileText() = default;
  // The bytes as a copy (a System that cannot map, a small or staged file).
  explicit FileText(std::string copy) : copy_(std::move(copy)) {}
  // Takes over a mapping of `size` bytes at `addr` (mmap(2)'d PROT_READ,
  // MAP_PRIVATE); unmapped when destroyed.
  static FileText Mapped(void* addr, size_t size);
  FileText(FileText&& o) noexcept;
  FileText& operator=(FileText&& o) noexcept;
  FileText(const FileText&) = delete;
  FileText& operator=(const FileText&) = delete;
  ~FileText();

  std::string_view view() const {
    return map_ != nullptr ? std::string_view(map_, size_)
                           : std::string_view(copy_);
  }
  bool mapped() const { return map_ != nullptr; }

  // The parser is past `offset`: a mapping gives back its whole pages
  // before it, in steps of kReleaseStep (madvise(MADV_DONTNEED); reading
  // them again reads the file again, so view() stays valid). A copy keeps
  // its bytes.
  void Release(size_t offset);
  static constexpr size_t kReleaseStep = 64 * 1024;

 private:
  void Unmap();

  std::string copy_;
  const char* map_ = nullptr;
  size_t size_ = 0;
  size_t released_ = 0;  // bytes at the front already given back
};

}  // namespace flamingo
