#include "state/json_reader.h"

#include <limits>

#include "engine/text.h"

namespace flamingo {
namespace {

constexpr int kMaxSkipDepth = 256;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

void JsonReader::Fail(const std::string& what) const {
  throw JsonReadError("offset " + std::to_string(pos_) + ": " + what);
}

char JsonReader::Peek() {
  while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  return pos_ < text_.size() ? text_[pos_] : '\0';
}

void JsonReader::Expect(char c) {
  if (Peek() != c) Fail(std::string("expected '") + c + "'");
  ++pos_;
}

char JsonReader::Next() {
  const char c = Peek();
  switch (c) {
    case '{':
    case '[':
    case '"':
    case 'n':
      return c;
    case 't':
    case 'f':
      return 't';
    default:
      if (c == '-' || (c >= '0' && c <= '9')) return '0';
      Fail(c == '\0' ? "unexpected end" : "expected a value");
  }
}

void JsonReader::Literal(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) {
    Fail("expected " + std::string(word));
  }
  pos_ += word.size();
}

std::string JsonReader::String() {
  std::string out;
  ScanString(&out);
  return out;
}

void JsonReader::ScanString(std::string* out) {
  if (Peek() != '"') Fail("expected a string");
  ++pos_;
  for (;;) {
    // The plain run up to the next quote, escape or non-ASCII byte.
    size_t run = pos_;
    while (run < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[run]);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
      ++run;
    }
    if (out != nullptr) out->append(text_.data() + pos_, run - pos_);
    pos_ = run;
    if (pos_ >= text_.size()) Fail("unterminated string");
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c == '"') {
      ++pos_;
      return;
    }
    if (c < 0x20) Fail("control character in a string");
    if (c >= 0x80) {
      const size_t n = Utf8SequenceLength(text_.substr(pos_));
      if (n == 0) Fail("invalid UTF-8 in a string");
      if (out != nullptr) out->append(text_.data() + pos_, n);
      pos_ += n;
      continue;
    }
    // An escape.
    if (pos_ + 1 >= text_.size()) Fail("unterminated string");
    const char e = text_[pos_ + 1];
    pos_ += 2;
    std::string ignored;
    std::string* to = out != nullptr ? out : &ignored;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        to->push_back(e);
        break;
      case 'b':
        to->push_back('\b');
        break;
      case 'f':
        to->push_back('\f');
        break;
      case 'n':
        to->push_back('\n');
        break;
      case 'r':
        to->push_back('\r');
        break;
      case 't':
        to->push_back('\t');
        break;
      case 'u': {
        auto hex4 = [&]() -> uint32_t {
          if (pos_ + 4 > text_.size()) Fail("short \\u escape");
          uint32_t v = 0;
          for (int i = 0; i < 4; ++i) {
            const int d = HexDigit(text_[pos_ + i]);
            if (d < 0) Fail("bad \\u escape");
            v = v * 16 + static_cast<uint32_t>(d);
          }
          pos_ += 4;
          return v;
        };
        uint32_t cp = hex4();
        if (cp >= 0xDC00 && cp <= 0xDFFF) Fail("lone low surrogate");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (text_.substr(pos_, 2) != "\\u") Fail("lone high surrogate");
          pos_ += 2;
          const uint32_t low = hex4();
          if (low < 0xDC00 || low > 0xDFFF) Fail("lone high surrogate");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        AppendUtf8(cp, to);
        break;
      }
      default:
        pos_ -= 1;
        Fail("bad escape");
    }
  }
}

void JsonReader::SkipNumber() {
  const size_t start = pos_;
  auto digits = [&] {
    const size_t from = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      ++pos_;
    }
    return pos_ - from;
  };
  if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
  const size_t int_start = pos_;
  const size_t n = digits();
  if (n == 0) Fail("expected a number");
  if (n > 1 && text_[int_start] == '0') {
    pos_ = int_start;
    Fail("leading zero in a number");
  }
  if (pos_ < text_.size() && text_[pos_] == '.') {
    ++pos_;
    if (digits() == 0) Fail("expected a digit after '.'");
  }
  if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
      ++pos_;
    }
    if (digits() == 0) Fail("expected a digit in the exponent");
  }
  if (pos_ == start) Fail("expected a number");
}

int64_t JsonReader::Int() {
  if (Next() != '0') Fail("expected an integer");
  const size_t start = pos_;
  SkipNumber();
  std::string_view num = text_.substr(start, pos_ - start);
  if (num.find_first_of(".eE") != std::string_view::npos) {
    pos_ = start;
    Fail("expected an integer");
  }
  const bool negative = num[0] == '-';
  if (negative) num.remove_prefix(1);
  // Accumulated negatively: int64_t's minimum has no positive counterpart.
  int64_t v = 0;
  for (char c : num) {
    const int d = c - '0';
    if (v < (std::numeric_limits<int64_t>::min() + d) / 10) {
      pos_ = start;
      Fail("integer out of range");
    }
    v = v * 10 - d;
  }
  if (!negative) {
    if (v == std::numeric_limits<int64_t>::min()) {
      pos_ = start;
      Fail("integer out of range");
    }
    v = -v;
  }
  return v;
}

bool JsonReader::Bool() {
  if (Next() != 't') Fail("expected true or false");
  if (text_[pos_] == 't') {
    Literal("true");
    return true;
  }
  Literal("false");
  return false;
}

void JsonReader::Skip() {
  switch (Next()) {
    case '{':
      if (++depth_ > kMaxSkipDepth) Fail("nested too deeply");
      Object([&](const std::string&) { Skip(); });
      --depth_;
      return;
    case '[':
      if (++depth_ > kMaxSkipDepth) Fail("nested too deeply");
      Array([&] { Skip(); });
      --depth_;
      return;
    case '"':
      ScanString(nullptr);  // checked, not kept
      return;
    case 'n':
      Literal("null");
      return;
    case 't':
      (void)Bool();
      return;
    default:
      SkipNumber();
      return;
  }
}

void JsonReader::End() {
  if (Peek() != '\0' || pos_ != text_.size()) Fail("text after the document");
}

}  // namespace flamingo
