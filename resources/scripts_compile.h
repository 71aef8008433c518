// The scripts module's compiler (one row in resources/kinds.cc): bootcmd,
// runcmd, "#!" user-data parts, the /var/lib/cloud/scripts directories and
// the `flamingo: {script_timeout: N}` setting. Reference:
// docs/reference/scripts.md.
#pragma once

#include <optional>
#include <string>

#include "resources/kinds.h"

namespace flamingo {

// Turns a bootcmd/runcmd list into one /bin/sh script, as cloud-init's
// util.shellify does: "#!/bin/sh\n", then per item one line: a string as
// written, a list as its items in single quotes (so sh runs the program
// with exactly those arguments), null items skipped. Errors (with the
// item's position) for a non-list, an item that is neither a string nor a
// list of strings, an empty command. Returns nullopt on any error.
// `*commands` is set to the number of commands.
std::optional<std::string> Shellify(const Value& list, Diagnostics* diags,
                                    int* commands);

// True when `content` starts with "#!" followed by an interpreter path.
bool HasInterpreterLine(std::string_view content);

// The compile function of the scripts row.
void CompileScripts(const CompileInput& in, CompileOutput* out,
                    Diagnostics* diags);

}  // namespace flamingo
