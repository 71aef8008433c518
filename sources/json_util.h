// Small helpers for the datasources' metadata (JSON mostly); nlohmann
// exceptions stay inside.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/status.h"

namespace flamingo {

// Parses `text`; a syntax error names `what` and the byte offset.
Result<nlohmann::json> ParseJson(const std::string& text,
                                 const std::string& what);

// obj[key] as a string: strings as they are, numbers and bools as text, ""
// otherwise.
std::string JsonString(const nlohmann::json& obj, const std::string& key);

// Appends SSH public key `key` to `keys` without its trailing CR, LF and
// spaces; an empty key, or one already in `keys`, is not added.
void AddPublicKey(std::vector<std::string>* keys, std::string key);

}  // namespace flamingo
