// Internal to the YAML loader: scalar typing and input checks.
// (ResolvePlainScalar itself is public, in yaml_loader.h.)
#pragma once

#include <string>
#include <string_view>

#include "schemas/yaml_loader.h"

namespace flamingo {

// Types a scalar with its yaml-cpp tag: "?" (plain) is resolved as PyYAML
// does; "!" (quoted) is a string; !!int/!!bool/!!float/!!null are resolved;
// any other tag (!!str, !!binary, custom) gives a string that keeps its tag.
Value ResolveTaggedScalar(std::string text, const std::string& tag);

// PyYAML reads only valid UTF-8 of printable characters. Returns "" when
// `text` qualifies, else the problem, with its 1-based place in *line/*col.
std::string CheckYamlCharacters(std::string_view text, int* line, int* col);

// Returns `text` with every byte that is not part of a valid UTF-8 sequence
// taken as a Latin-1 code point and encoded as UTF-8 (0xA0 -> "\xC2\xA0").
// Valid UTF-8 comes back unchanged.
std::string LatinBytesToUtf8(std::string_view text);

}  // namespace flamingo
