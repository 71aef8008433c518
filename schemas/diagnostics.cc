#include "schemas/diagnostics.h"

#include "schemas/value.h"

namespace flamingo {

std::string Diagnostic::ToString() const {
  std::string out = FormatPosition(file, line, col) + ": ";
  if (severity == Severity::kWarning) out += "warning: ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

static Diagnostic At(const Value& at, Severity sev, std::string message) {
  Diagnostic d;
  d.severity = sev;
  d.file = at.file();
  d.line = at.line();
  d.col = at.col();
  d.path = at.path();
  d.message = std::move(message);
  return d;
}

void Diagnostics::Error(const Value& at, std::string message) {
  items_.push_back(At(at, Severity::kError, std::move(message)));
}

void Diagnostics::Warning(const Value& at, std::string message) {
  items_.push_back(At(at, Severity::kWarning, std::move(message)));
}

void Diagnostics::AddAtKey(const Value& at, Severity severity, std::string path,
                           std::string message) {
  Diagnostic d = At(at, severity, std::move(message));
  if (at.key_line() > 0) {
    d.line = at.key_line();
    d.col = at.key_col();
  }
  d.path = std::move(path);
  items_.push_back(std::move(d));
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::HasErrors() const { return ErrorCount() > 0; }

size_t Diagnostics::ErrorCount() const {
  size_t n = 0;
  for (const auto& d : items_) n += d.severity == Severity::kError;
  return n;
}

void Diagnostics::PromoteWarnings() {
  for (auto& d : items_) d.severity = Severity::kError;
}

}  // namespace flamingo
