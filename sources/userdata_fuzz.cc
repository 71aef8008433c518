// libFuzzer target: any bytes as user-data (MIME, gzip, archives, YAML)
// decode to diagnostics, never a crash. Includes have no fetcher.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sources/userdata.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string blob(reinterpret_cast<const char*>(data), size);
  flamingo::Diagnostics diags;
  flamingo::UserDataOptions o;
  o.max_decompressed_bytes = 1 << 20;
  (void)flamingo::ProcessUserData(blob, blob.substr(0, size / 2), o, &diags,
                                  nullptr);
  return 0;
}
