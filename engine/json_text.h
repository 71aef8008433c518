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
#pragma once

#include <string>
#include <string_view>

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

}  // namespace flamingo
