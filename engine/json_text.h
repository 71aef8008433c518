// DumpJson: JSON text that never throws on bytes that are not UTF-8.
//
// Strings flamingo writes into its state file and its JSON output come from
// outside: a failed script's last lines of output, a message quoting a file
// name. nlohmann's dump() throws type_error 316 on invalid UTF-8, which
// aborted a run at its state save (the run's results lost, the script run
// again at the next boot). Here each invalid byte becomes U+FFFD instead,
// as error_handler_t::replace does; valid text is unchanged.
#pragma once

#include <string>

namespace flamingo {

// `indent` as for nlohmann's dump(): -1 for one line.
template <typename Json>
std::string DumpJson(const Json& j, int indent = -1) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false,
                Json::error_handler_t::replace);
}

}  // namespace flamingo
