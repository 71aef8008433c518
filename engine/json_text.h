// DumpJson: JSON text that never throws on bytes that are not UTF-8.
//
// Strings flamingo writes into its state file and its JSON output come from
// outside: a failed script's last lines of output, a message quoting a file
// name. nlohmann's dump() throws type_error 316 on invalid UTF-8, which
// aborted a run at its state save (the run's results lost, the script run
// again at the next boot). Here each invalid byte becomes U+FFFD instead,
// as error_handler_t::replace does; valid text is unchanged.
//
// AppendJsonString: one string as DumpJson writes it, without building a
// JSON value (the state file's writer, a member at a time).
//
// JsonStreamWriter: JSON text written a member at a time, laid out exactly
// as DumpJson(j, indent) lays out the same document: big documents (a
// state's records, a plan of thousands of changes) never exist as a DOM.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace flamingo {

// `indent` as for nlohmann's dump(): -1 for one line.
template <typename Json>
std::string DumpJson(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false,
                Json::error_handler_t::replace);
}

// Appends `s` as a JSON string literal, byte for byte what DumpJson of it
// gives: `"` `\\` and the C0 controls escaped (\\n, \\u001f...), valid UTF-8
// kept as it is, each byte of an invalid sequence as U+FFFD.
void AppendJsonString(std::string* out, std::string_view s);

class JsonStreamWriter {
 public:
  // Appends to `out`, `indent` spaces per level (>= 1). Between members the
  // caller may hand on what `out` holds and clear it (a streamed output).
  JsonStreamWriter(std::string* out, int indent)
      : out_(out), indent_(static_cast<size_t>(indent)) {}
  // From now on, whenever `out` holds `threshold` bytes or more at the
  // start of a member or element, hands them to `spill` and clears it: a
  // document of any size in pieces of about that size.
  void SpillAt(size_t threshold, std::function<void(std::string_view)> spill) {
    spill_threshold_ = threshold;
    spill_ = std::move(spill);
  }
  // Opens an object or array ('{' or '['): the document, or the value of
  // the Key or Element just written.
  void Open(char bracket) {
    out_->push_back(bracket);
    empty_.push_back(true);
  }
  void Close(char bracket) {
    bool empty = empty_.back();
    empty_.pop_back();
    if (!empty) NewLine();
    out_->push_back(bracket);
  }
  void Key(std::string_view key) {
    Next();
    AppendJsonString(out_, key);
    out_->append(": ");
  }
  void Element() { Next(); }
  void String(std::string_view value) { AppendJsonString(out_, value); }
  void Int(int64_t value) { out_->append(std::to_string(value)); }
  void Bool(bool value) { out_->append(value ? "true" : "false"); }
  void Null() { out_->append("null"); }
  // The member `key` with a string, integer or boolean value.
  void Member(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Member(std::string_view key, int64_t value) {
    Key(key);
    Int(value);
  }
  void Member(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }
  // An array member of strings.
  void Member(std::string_view key, const std::vector<std::string>& values) {
    Key(key);
    Open('[');
    for (const auto& v : values) {
      Element();
      String(v);
    }
    Close(']');
  }

 private:
  void Next() {
    if (spill_ && out_->size() >= spill_threshold_) {
      spill_(*out_);
      out_->clear();
    }
    if (!empty_.back()) out_->push_back(',');
    empty_.back() = false;
    NewLine();
  }
  void NewLine() {
    out_->push_back('\n');
    out_->append(empty_.size() * indent_, ' ');
  }
  std::string* out_;
  size_t indent_;
  std::vector<bool> empty_;  // per open bracket: nothing in it yet
  size_t spill_threshold_ = 0;
  std::function<void(std::string_view)> spill_;
};

}  // namespace flamingo
