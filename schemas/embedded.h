// Data embedded in the binary at build time (schemas/embed.cmake): flamingo
// never reads schema files at run time.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace flamingo {

// Every schemas/keys/*.json as {file name without ".json", JSON text},
// sorted by name.
std::vector<std::pair<std::string_view, std::string_view>>
EmbeddedSchemaFragments();

// schemas/cloud_init_keys.txt: cloud-init's top-level cloud-config keys, one
// a line; lines starting with '#' are comments.
std::string_view EmbeddedCloudInitKeys();

}  // namespace flamingo
