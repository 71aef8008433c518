// Data embedded in the binary at build time (schemas/embed.cmake): flamingo
// never reads schema files at run time.
//
// Besides the raw texts, the build generates an index of them, so that a run
// parses only the fragments its config needs (schema_registry.cc). The build
// fails on a fragment that is not sound (see embed.cmake): invalid JSON, a
// member other than properties/$defs/$comment, a $defs name two fragments
// define differently, a $ref that is not "#" or "#/$defs/NAME" of the same
// fragment, a key name not [A-Za-z0-9_-]+.
#pragma once

#include <span>
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

// A top-level key that some fragment defines (in its "properties").
struct EmbeddedSchemaKey {
  std::string_view name;
  // The fragments that define it: indices into EmbeddedSchemaFragments(),
  // ascending (so in name order); at least one.
  std::span<const int> fragments;
};

// Every key of every fragment's "properties", each once, sorted by name
// (bytewise). Static storage; no parsing at run time.
std::span<const EmbeddedSchemaKey> EmbeddedSchemaKeys();

// EmbeddedCloudInitKeys() parsed: each line without trailing spaces and '\r',
// without blank and '#' lines, sorted (bytewise), each key once.
std::span<const std::string_view> EmbeddedCloudInitKeyList();

}  // namespace flamingo
