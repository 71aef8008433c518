// Unit names and unit files, as systemd defines them (systemd.unit(5)),
// without systemd: flamingo checks units before writing anything and
// computes enablement offline exactly as `systemctl --root` does.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flamingo {

// systemd's unit_name_is_valid(): "prefix[@instance].type", at most 255
// characters, prefix and instance made of [A-Za-z0-9:_.\-\\] (plus '@' in
// the instance), a known type suffix. Returns "" when valid, else why not.
std::string UnitNameError(std::string_view name);

// "foo@bar.service" -> "foo@.service"; "" for non-instances.
std::string UnitTemplateOf(std::string_view name);
// "foo@.service" -> true.
bool IsUnitTemplate(std::string_view name);
// "foo@.service" + "bar" -> "foo@bar.service".
std::string UnitInstance(std::string_view template_name,
                         std::string_view instance);

// One "Key=Value" assignment of a unit file.
struct UnitEntry {
  std::string section;
  std::string key;
  std::string value;
  int line = 0;  // 1-based line in the content where the entry starts
};

struct UnitParseError {
  int line = 0;  // 1-based
  std::string message;
};

// Parses unit-file syntax: "[Section]" headers, "Key=Value" assignments
// (whitespace around '=' trimmed, a trailing '\' continues the line),
// comments ('#' or ';') and blank lines. Anything else is an error, as is an
// assignment before the first section or a malformed key or section name.
// Returns the entries, or every error found.
struct ParsedUnit {
  std::vector<UnitEntry> entries;
  std::vector<UnitParseError> errors;
  std::vector<std::string> sections;  // in order of appearance
};
ParsedUnit ParseUnitFile(std::string_view content);

// The [Install] section, as systemctl reads it. Values are split on
// whitespace; an empty assignment resets the list.
struct InstallInfo {
  std::vector<std::string> wanted_by;
  std::vector<std::string> required_by;
  std::vector<std::string> alias;
  std::vector<std::string> also;
  std::string default_instance;
  // True when the section names anything to enable.
  bool Empty() const {
    return wanted_by.empty() && required_by.empty() && alias.empty() &&
           also.empty();
  }
};
InstallInfo ParseInstall(const ParsedUnit& unit);

}  // namespace flamingo
