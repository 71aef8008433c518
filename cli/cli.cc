#include "cli/cli.h"

#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stderr_logger.h"
#include "version.h"

namespace flamingo {

int RunCli(int argc, char** argv) {
  auto opts = ParseCliOptions(argc, argv);
  if (!opts.ok()) {
    std::fprintf(stderr, "flamingo: %s\n\n%s", opts.status().message().c_str(),
                 UsageText());
    return 1;
  }
  const CliOptions& o = *opts;
  StderrLogger log(o.verbose ? LogLevel::kInfo
                   : o.quiet ? LogLevel::kError
                             : LogLevel::kWarning);
  if (o.command == "help") {
    std::fputs(UsageText(), stdout);
    return 0;
  }
  if (o.command == "version") {
    std::printf("flamingo %s\n", FLAMINGO_VERSION);
    return 0;
  }
  if (o.command == "validate") return CmdValidate(o, &log);
  if (o.command == "plan") return CmdPlan(o, &log);
  if (o.command == "apply") return CmdApply(o, &log);
  if (o.command == "status") return CmdStatus(o, &log);
  if (o.command == "query") return CmdQuery(o, &log);
  if (o.command == "schema") return CmdSchema(o, &log);
  std::fprintf(stderr, "flamingo: unknown command '%s'\n\n%s",
               o.command.c_str(), UsageText());
  return 1;
}

}  // namespace flamingo
