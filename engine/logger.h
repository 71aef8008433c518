// Logger: passed in, never global (Ignition's StageCreator). The CLI makes
// one that writes to stderr or the journal; tests use a recording one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flamingo {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Log(LogLevel level, std::string_view message) = 0;
  void Debug(std::string_view m) { Log(LogLevel::kDebug, m); }
  void Info(std::string_view m) { Log(LogLevel::kInfo, m); }
  void Warning(std::string_view m) { Log(LogLevel::kWarning, m); }
  void Error(std::string_view m) { Log(LogLevel::kError, m); }
};

class NullLogger : public Logger {
 public:
  void Log(LogLevel, std::string_view) override {}
};

// Keeps every message (tests).
class RecordingLogger : public Logger {
 public:
  void Log(LogLevel level, std::string_view m) override {
    messages.push_back({level, std::string(m)});
  }
  struct Entry {
    LogLevel level;
    std::string message;
  };
  std::vector<Entry> messages;
};

}  // namespace flamingo
