// libFuzzer target: arbitrary bytes as a state file. ParseState never
// crashes (a corrupt file is an error, never a crash), and what it accepts
// round-trips: the serialized state parses again and serializes to the same
// text (the state is written a member at a time, state/state.cc; this holds
// the writer to the parser's view of the format), laid out as nlohmann's
// dump(1) of the same document (the writer escapes strings itself). A
// partial read (StateParts) of an accepted file is accepted too and holds
// exactly the parts it reads, as the whole read has them. The serialized
// text is the streamed one SaveState writes (WriteStateText, collected).
// Run by tests/run_fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "state/state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using flamingo::StateParts;
  auto state = flamingo::ParseState(text);
  if (!state.ok()) return 0;
  for (StateParts parts :
       {StateParts::kWithoutRunSummaries, StateParts::kHeader,
        StateParts::kLastBootRun}) {
    auto part = flamingo::ParseState(text, parts);
    if (!part.ok()) std::abort();
    if (part->instance_id != state->instance_id ||
        part->converged_sha256 != state->converged_sha256 ||
        part->generation != state->generation ||
        part->boot_id != state->boot_id) {
      std::abort();
    }
    const bool records =
        parts != StateParts::kHeader && parts != StateParts::kLastBootRun;
    if (records ? part->records != state->records : !part->records.empty()) {
      std::abort();
    }
    if (part->last_run) std::abort();
    const bool boot_run = parts == StateParts::kLastBootRun;
    if (boot_run ? part->last_boot_run != state->last_boot_run
                 : part->last_boot_run.has_value()) {
      std::abort();
    }
  }
  const std::string once = flamingo::SerializeState(*state);
  auto again = flamingo::ParseState(once);
  if (!again.ok()) std::abort();
  if (flamingo::SerializeState(*again) != once) std::abort();
  if (nlohmann::ordered_json::parse(once).dump(1) + "\n" != once) std::abort();
  return 0;
}
