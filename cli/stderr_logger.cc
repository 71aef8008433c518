#include "cli/stderr_logger.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace flamingo {

StderrLogger::StderrLogger(LogLevel min_level)
    : min_level_(min_level),
      journal_(std::getenv("JOURNAL_STREAM") != nullptr) {}

void StderrLogger::Log(LogLevel level, std::string_view message) {
  if (level < min_level_) return;
  std::string line;
  if (journal_) {
    switch (level) {
      case LogLevel::kError:
        line = "<3>";
        break;
      case LogLevel::kWarning:
        line = "<4>";
        break;
      case LogLevel::kInfo:
        line = "<6>";
        break;
      case LogLevel::kDebug:
        line = "<7>";
        break;
    }
  } else if (level == LogLevel::kError) {
    line = "error: ";
  } else if (level == LogLevel::kWarning) {
    line = "warning: ";
  }
  line += message;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace flamingo
