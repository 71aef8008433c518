// Diagnostics: every problem found in the input, with its place.
// Validation collects all of them instead of stopping at the first
// (Ignition's report.Report). Rendered as "FILE:LINE:COL: PATH: MESSAGE".
#pragma once

#include <string>
#include <vector>

namespace flamingo {

class Value;

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;  // source name, e.g. "user-data"
  int line = 0;      // 1-based; 0 when unknown
  int col = 0;       // 1-based; 0 when unknown
  std::string path;  // config path, e.g. "users[1].shell"; may be empty
  std::string message;

  // "file:line:col: path: message" (warnings get "warning: " before path).
  std::string ToString() const;
};

class Diagnostics {
 public:
  // Adds a problem located at `at` (its file, position and path).
  void Error(const Value& at, std::string message);
  void Warning(const Value& at, std::string message);
  // Adds a problem located at the key that names `at` in its mapping (the
  // value's own position when it has no key), with `path` (may be "").
  void AddAtKey(const Value& at, Severity severity, std::string path,
                std::string message);
  // Adds a problem with an explicit location.
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  void Append(const Diagnostics& other);

  bool HasErrors() const;
  size_t ErrorCount() const;
  // With strict=true warnings count as errors (flamingo --strict).
  void PromoteWarnings();
  const std::vector<Diagnostic>& items() const { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace flamingo
