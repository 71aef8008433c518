#include "cli/validate_config.h"

namespace flamingo {

void ValidateConfig(const Value& config, bool strict, Diagnostics* diags) {
  // Replaced by the schema validator when schemas/ lands.
  (void)config;
  (void)strict;
  (void)diags;
}

}  // namespace flamingo
