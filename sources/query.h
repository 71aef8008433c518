// `flamingo query [KEY]`: the normalized instance data as JSON, shaped like
// cloud-init's instance-data.json so `cloud-init query` habits carry over:
//   {"v1": {"cloud_name", "platform", "subplatform", "instance_id",
//           "local_hostname", "public_ssh_keys", "availability_zone",
//           "region", "launch_index"},
//    "ds": {"meta_data": <raw>, "network_data": <raw or null>},
//    <every v1 key again at the top level>, "datasource": ...}
// User-data and vendor-data are only printed when asked for by name
// (KEY "userdata" / "vendordata"), never in the whole document.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "engine/status.h"
#include "sources/datasource.h"

namespace flamingo {

nlohmann::json InstanceDataJson(const InstanceData& data);

// KEY is a dotted path ("v1.instance_id", "ds.meta_data.placement"); in each
// component '-' and '_' are interchangeable. A string result prints as is,
// anything else as indented JSON; the whole document when KEY is empty.
// An unknown key is an error naming it.
Result<std::string> RenderQuery(const InstanceData& data,
                                const std::string& key);

}  // namespace flamingo
