// libFuzzer target: the base64 and gzip decoders never crash, never exceed
// their output bound, and base64 round-trips what it encodes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "engine/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto b64 = flamingo::Base64Decode(in);
  if (b64.ok() && b64->size() > in.size()) std::abort();
  auto gz = flamingo::GunzipLimited(in, 1 << 20);
  if (gz.ok() && gz->size() > (1u << 20)) std::abort();
  auto round = flamingo::Base64Decode(flamingo::Base64Encode(in));
  if (!round.ok() || *round != in) std::abort();
  return 0;
}
