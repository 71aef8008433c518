#include "cli/validate_config.h"

#include "schemas/cloud_config.h"

namespace flamingo {

void ValidateConfig(const Value& config, bool strict, Diagnostics* diags,
                    const Diagnostics* streamed) {
  ValidateCloudConfig(config, strict, diags, streamed);
}

}  // namespace flamingo
