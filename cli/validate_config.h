// The one place the CLI validates a cloud-config document (schema types,
// unknown and unimplemented keys).
#pragma once

#include "schemas/diagnostics.h"
#include "schemas/value.h"

namespace flamingo {

// `streamed`: the diagnostics of a streamed list's items (ItemStream), if
// the config has one.
void ValidateConfig(const Value& config, bool strict, Diagnostics* diags,
                    const Diagnostics* streamed = nullptr);

}  // namespace flamingo
