// SHA-256 (FIPS 180-4), for content fingerprints in plans and the state
// file. Not for secrets.
#pragma once

#include <string>
#include <string_view>

namespace flamingo {

// Lowercase hex digest of `data`.
std::string Sha256Hex(std::string_view data);

}  // namespace flamingo
