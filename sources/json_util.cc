#include "sources/json_util.h"

#include <utility>

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

void AddPublicKey(std::vector<std::string>* keys, std::string key) {
  while (!key.empty() &&
         (key.back() == '\n' || key.back() == '\r' || key.back() == ' '))
    key.pop_back();
  if (key.empty()) return;
  for (const std::string& x : *keys) {
    if (x == key) return;
  }
  keys->push_back(std::move(key));
}

}  // namespace flamingo
