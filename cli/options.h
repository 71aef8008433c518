// Command-line options of every command (docs/cli.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"

namespace flamingo {

enum class OutputFormat { kText, kJson };

// Which part of the work a run does (--phase): all of it, or one of the two
// phases of a boot under systemd (docs/boot.md). Early: every declarative
// resource, bootcmd, deletions (stages below kStageLate). Late: runcmd and
// user scripts (stages from kStageLate on), once the network is online, as
// cloud-init's final stage runs them.
enum class Phase { kAll, kEarly, kLate };

struct CliOptions {
  std::string command;            // validate, plan, apply, status, ...
  std::vector<std::string> args;  // positional arguments after the command
  std::string root = "/";         // --root
  std::optional<std::string> user_data;     // --user-data FILE (host path)
  std::optional<std::string> meta_data;     // --meta-data FILE (host path)
  std::optional<std::string> vendor_data;   // --vendor-data FILE (host path)
  std::string datasource = "auto";          // --datasource
  std::optional<std::string> metadata_url;  // --metadata-url
  OutputFormat format = OutputFormat::kText;
  bool detailed_exitcode = false;
  bool strict = false;
  bool boot = false;
  bool reconcile = false;
  bool rerun_scripts = false;
  Phase phase = Phase::kAll;  // --phase all|early|late
  bool verbose = false;
  bool quiet = false;
  std::optional<std::string> boot_id;  // --boot-id (tests, image builds)
  int lock_timeout = 60;               // --lock-timeout SECONDS
  // --done-file PATH: created (empty, on the host, not inside --root) when
  // apply succeeded; a unit's condition can test it without a process.
  std::optional<std::string> done_file;
};

// Parses argv. Errors name the offending argument.
Result<CliOptions> ParseCliOptions(int argc, char** argv);

// The usage text printed by --help and on usage errors.
const char* UsageText();

}  // namespace flamingo
