#include "sources/json_util.h"

namespace flamingo {

Result<nlohmann::json> ParseJson(const std::string& text,
                                 const std::string& what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::Error(what + ": malformed JSON: " + e.what());
  }
}

std::string JsonString(const nlohmann::json& obj, const std::string& key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number() || it->is_boolean()) return it->dump();
  return "";
}

}  // namespace flamingo
