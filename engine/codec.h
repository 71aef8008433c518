// Decoders shared by write_files and the user-data part decoder: base64 as
// Python's base64.b64decode reads it (what cloud-init uses), and gzip through
// zlib with a bound on the output size (a small bomb cannot exhaust memory).
// Pure functions on bytes held in std::string; no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/status.h"

namespace flamingo {

// Decodes base64 (standard alphabet; '-' and '_' are not accepted) the way
// Python's base64.b64decode(s) does without validate=True: characters outside
// the alphabet (whitespace, line breaks, stray punctuation) are skipped, a '='
// before the second character of a quad is ignored, decoding stops at the
// padding that ends a quad, and the input is an error when its data
// characters leave one over a multiple of four or a quad lacks its padding.
// Errors: "invalid base64: ...".
Result<std::string> Base64Decode(std::string_view in);

// Standard base64 with padding, no line breaks.
std::string Base64Encode(std::string_view in);

// True when `data` starts with the gzip magic bytes 1f 8b.
bool LooksGzipped(std::string_view data);

// The default bound on decompressed output: 64 MiB.
inline constexpr size_t kDefaultMaxGunzipBytes = size_t{64} << 20;

// Decompresses gzip data (one or more concatenated members, as Python's gzip
// module reads them). Errors: "invalid gzip data: <zlib's reason>",
// "invalid gzip data: truncated", "gzip data expands beyond N bytes".
Result<std::string> GunzipLimited(std::string_view in,
                                  size_t max_output = kDefaultMaxGunzipBytes);

// Compresses to a single gzip member (tests, fixtures, benchmarks).
std::string GzipCompress(std::string_view in);

}  // namespace flamingo
