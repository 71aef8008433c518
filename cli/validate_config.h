// The one place the CLI validates a cloud-config document (schema types,
// unknown and unimplemented keys).
#pragma once

#include "schemas/diagnostics.h"
#include "schemas/value.h"

namespace flamingo {

void ValidateConfig(const Value& config, bool strict, Diagnostics* diags);

}  // namespace flamingo
