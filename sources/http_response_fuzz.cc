// libFuzzer target: any bytes as the response to a request, delivered in
// pieces whose sizes come from the first input byte; the parser must never
// crash or hang, never keep a body over the limit, and give the same result
// however the bytes are split.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sources/http_response.h"

namespace {

struct Outcome {
  bool ok;
  bool done;
  std::string message;
  long status;
  std::string body;
};

Outcome Run(std::string_view in, size_t step, bool head, size_t max) {
  flamingo::HttpResponseParser p(head, max);
  flamingo::Status s;
  for (size_t i = 0; i < in.size() && s.ok() && !p.done(); i += step) {
    s = p.Feed(in.substr(i, step));
  }
  if (s.ok() && !p.done()) s = p.Finish();
  if (p.response().body.size() > max) abort();
  return {s.ok(), p.done(), s.message(), p.response().status,
          p.response().body};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t step = 1 + data[0] % 17;
  const bool head = (data[0] & 0x80) != 0;
  const size_t max = 64 + (data[0] & 0x40 ? 4096 : 0);
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  Outcome whole = Run(in, in.size() + 1, head, max);
  Outcome split = Run(in, step, head, max);
  // (After an error the body holds whatever came before it: compared only
  // on success.)
  if (whole.ok != split.ok || whole.message != split.message ||
      whole.status != split.status || (whole.ok && whole.body != split.body)) {
    abort();
  }
  if (whole.ok && !whole.done) abort();
  return 0;
}
