// Small JSON helpers for the datasources; nlohmann exceptions stay inside.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/status.h"

namespace flamingo {

// Parses `text`; a syntax error names `what` and the byte offset.
Result<nlohmann::json> ParseJson(const std::string& text,
                                 const std::string& what);

// obj[key] as a string: strings as they are, numbers and bools as text, ""
// otherwise.
std::string JsonString(const nlohmann::json& obj, const std::string& key);

}  // namespace flamingo
