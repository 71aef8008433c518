// The commands behind the CLI. Each returns the process exit code:
// 0 success, 1 error (invalid input, or a resource failed), 2 only for
// `plan --detailed-exitcode` with changes pending.
#pragma once

#include "cli/options.h"
#include "engine/logger.h"

namespace flamingo {

int CmdValidate(const CliOptions& o, Logger* log);
int CmdPlan(const CliOptions& o, Logger* log);
int CmdApply(const CliOptions& o, Logger* log);
int CmdStatus(const CliOptions& o, Logger* log);
int CmdQuery(const CliOptions& o, Logger* log);
int CmdSchema(const CliOptions& o, Logger* log);

}  // namespace flamingo
