// The CLI's Logger: lines on stderr. Under systemd (JOURNAL_STREAM set) each
// line carries a syslog priority prefix ("<3>") so the journal records
// errors, warnings and info at their levels (sd-daemon(3)).
#pragma once

#include "engine/logger.h"

namespace flamingo {

class StderrLogger : public Logger {
 public:
  // Messages below `min_level` are dropped.
  explicit StderrLogger(LogLevel min_level);
  void Log(LogLevel level, std::string_view message) override;

 private:
  LogLevel min_level_;
  bool journal_;
};

}  // namespace flamingo
