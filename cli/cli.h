// The command line: flamingo validate|plan|apply|status|query|version.
// See docs/cli.md for the contract.
#pragma once

namespace flamingo {

// Runs the CLI; returns the process exit code.
int RunCli(int argc, char** argv);

}  // namespace flamingo
