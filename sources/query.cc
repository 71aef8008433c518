#include "sources/query.h"

#include "engine/json_text.h"

namespace flamingo {

nlohmann::json InstanceDataJson(const InstanceData& d) {
  nlohmann::json v1 = {
      {"cloud_name", d.cloud_name},
      {"platform", d.datasource},
      {"subplatform", d.subplatform},
      {"instance_id", d.instance_id},
      {"local_hostname", d.local_hostname},
      {"public_ssh_keys", d.public_keys},
      {"availability_zone", d.availability_zone.empty()
                                ? nlohmann::json()
                                : nlohmann::json(d.availability_zone)},
      {"region",
       d.region.empty() ? nlohmann::json() : nlohmann::json(d.region)},
      {"launch_index",
       d.launch_index ? nlohmann::json(*d.launch_index) : nlohmann::json()},
  };
  nlohmann::json out = v1;
  out["v1"] = v1;
  out["datasource"] = d.datasource;
  out["ds"] = {{"meta_data", d.meta_data}, {"network_data", d.network_data}};
  return out;
}

Result<std::string> RenderQuery(const InstanceData& d, const std::string& key) {
  nlohmann::json doc = InstanceDataJson(d);
  if (key == "userdata" || key == "user_data") return d.user_data;
  if (key == "vendordata" || key == "vendor_data") return d.vendor_data;
  const nlohmann::json* cur = &doc;
  size_t pos = 0;
  while (!key.empty() && pos <= key.size()) {
    size_t dot = key.find('.', pos);
    std::string comp = key.substr(
        pos, dot == std::string::npos ? std::string::npos : dot - pos);
    pos = dot == std::string::npos ? key.size() + 1 : dot + 1;
    const nlohmann::json* next = nullptr;
    if (cur->is_object()) {
      auto it = cur->find(comp);
      if (it == cur->end()) {
        std::string alt = comp;
        for (char& c : alt) c = c == '-' ? '_' : c == '_' ? '-' : c;
        it = cur->find(alt);
      }
      if (it != cur->end()) next = &*it;
    } else if (cur->is_array() && !comp.empty() &&
               comp.find_first_not_of("0123456789") == std::string::npos &&
               comp.size() < 9) {
      size_t i = std::stoul(comp);
      if (i < cur->size()) next = &(*cur)[i];
    }
    if (!next)
      return Status::Error("undefined instance-data key '" + key + "'");
    cur = next;
  }
  if (cur->is_string()) return cur->get<std::string>();
  return DumpJson(*cur, 1);  // metadata values are not always UTF-8
}

}  // namespace flamingo
