// A pull reader over JSON text (RFC 8259) for flamingo's own files: the
// state and its boot overlay. The caller walks the document it expects and
// reads each value straight into its own structures: no DOM is built. At
// boot the state is read on every start; a DOM of it was most of a reboot's
// parse time, and of its memory with thousands of records.
//
// Errors throw JsonReadError naming the byte offset ("offset 12: expected
// ':'"): malformed text, a value of another type than asked for, invalid
// UTF-8 in a string, or text after the document (End). Every call either
// consumes one whole value or throws.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace flamingo {

class JsonReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}
  // Reads `text` from byte `offset` on (an Offset of an earlier reader of
  // the same text): offsets in errors stay those of the whole text.
  JsonReader(std::string_view text, size_t offset)
      : text_(text), pos_(offset) {}

  // Called with the offset of each object member and array element as the
  // reader reaches it: what lies before it is read (FileText::Release).
  void set_progress(std::function<void(size_t)> progress) {
    progress_ = std::move(progress);
  }

  // Where the next value starts (after any whitespace).
  size_t Offset() {
    Peek();
    return pos_;
  }

  // The next value's type, without consuming it: '{', '[', '"', 'n' (null),
  // 't' (true or false), '0' (a number).
  char Next();

  // An object: member(key) once per member, in order; member must read
  // (or Skip) exactly the member's value.
  template <typename F>
  void Object(F&& member) {
    Expect('{');
    if (Peek() == '}') {
      ++pos_;
      return;
    }
    for (;;) {
      if (Peek() != '"') Fail("expected a member name");
      if (progress_) progress_(pos_);
      std::string key = String();
      Expect(':');
      member(key);
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      Expect('}');
      return;
    }
  }

  // An array: element() once per element, which must read exactly one value.
  template <typename F>
  void Array(F&& element) {
    Expect('[');
    if (Peek() == ']') {
      ++pos_;
      return;
    }
    for (;;) {
      if (progress_) progress_(pos_);
      element();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      Expect(']');
      return;
    }
  }

  std::string String();
  // An integer in int64_t's range (no fraction, no exponent).
  int64_t Int();
  bool Bool();
  // Any value, checked as strictly as the typed reads.
  void Skip();
  // Only whitespace is left.
  void End();

 private:
  // Skips whitespace; the next byte, or 0 at the end.
  char Peek();
  void Expect(char c);
  void Literal(std::string_view word);
  void SkipNumber();
  // A string, appended to `out` (null: checked and skipped).
  void ScanString(std::string* out);
  [[noreturn]] void Fail(const std::string& what) const;

  std::string_view text_;
  std::function<void(size_t)> progress_;
  size_t pos_ = 0;
  int depth_ = 0;  // of Skip's nesting, bounded
};

}  // namespace flamingo
