#include "engine/file_text.h"

#include <sys/mman.h>

#include <utility>

namespace flamingo {

FileText FileText::Mapped(void* addr, size_t size) {
  FileText t;
  t.map_ = static_cast<const char*>(addr);
  t.size_ = size;
  return t;
}

FileText::FileText(FileText&& o) noexcept
    : copy_(std::move(o.copy_)),
      map_(std::exchange(o.map_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      released_(std::exchange(o.released_, 0)) {}

FileText& FileText::operator=(FileText&& o) noexcept {
  if (this != &o) {
    Unmap();
    copy_ = std::move(o.copy_);
    map_ = std::exchange(o.map_, nullptr);
    size_ = std::exchange(o.size_, 0);
    released_ = std::exchange(o.released_, 0);
  }
  return *this;
}

FileText::~FileText() { Unmap(); }

void FileText::Unmap() {
  if (map_ != nullptr) ::munmap(const_cast<char*>(map_), size_);
  map_ = nullptr;
  size_ = 0;
  released_ = 0;
}

void FileText::Release(size_t offset) {
  if (map_ == nullptr || offset < released_ + kReleaseStep) return;
  // Whole steps only (a multiple of every page size); the mapping starts
  // page-aligned.
  const size_t end = offset - offset % kReleaseStep;
  ::madvise(const_cast<char*>(map_) + released_, end - released_,
            MADV_DONTNEED);
  released_ = end;
}

}  // namespace flamingo
