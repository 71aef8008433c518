#include "resources/scripts_compile.h"

#include <set>

#include "resources/direct_command.h"
#include "resources/script.h"
#include "resources/script_dir.h"

namespace flamingo {
namespace {

constexpr char kCommandHelp[] =
    "a command is a string (run by /bin/sh) or a list of strings (the "
    "program and its arguments)";

bool IsBlank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

std::string SafeName(const std::string& name) {
  std::string out;
  for (char c : name) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    out += keep ? c : '_';
  }
  if (out.empty() || out[0] == '.') out = "_" + out;
  return out;
}

// flamingo.script_timeout, or 0 (no timeout). Errors go to diags.
int ReadTimeout(const Value& config, Diagnostics* diags) {
  const Value* fl = config.is_map() ? config.Get("flamingo") : nullptr;
  if (fl == nullptr || !fl->is_map()) return 0;
  const Value* t = fl->Get("script_timeout");
  if (t == nullptr) return 0;
  if (!t->is_int() || t->as_int() < 0 || t->as_int() > 86400 * 7) {
    diags->Error(*t,
                 "expected a whole number of seconds from 0 (no timeout) to "
                 "604800");
    return 0;
  }
  return static_cast<int>(t->as_int());
}

}  // namespace

std::optional<std::string> Shellify(const Value& list, Diagnostics* diags,
                                    int* commands) {
  *commands = 0;
  if (!list.is_list()) {
    diags->Error(list, std::string("expected a list of commands, got ") +
                           Value::TypeName(list.type()) + " (" + kCommandHelp +
                           ")");
    return std::nullopt;
  }
  bool ok = true;
  std::string script = "#!/bin/sh\n";
  for (const Value& item : list.items()) {
    if (item.is_null()) continue;  // cloud-init skips null (a bare "-")
    if (item.is_string()) {
      if (IsBlank(item.text())) {
        diags->Error(item, "empty command");
        ok = false;
        continue;
      }
      script += item.text() + "\n";
      ++*commands;
      continue;
    }
    if (!item.is_list()) {
      diags->Error(item, std::string("expected a command, got ") +
                             Value::TypeName(item.type()) + " (" +
                             kCommandHelp + ")");
      ok = false;
      continue;
    }
    if (item.items().empty()) {
      diags->Error(item,
                   "empty command: an argument list needs at least "
                   "the program");
      ok = false;
      continue;
    }
    std::vector<std::string> argv;
    bool item_ok = true;
    for (size_t i = 0; i < item.items().size(); ++i) {
      const Value& arg = item.items()[i];
      if (!arg.is_string()) {
        diags->Error(arg, std::string("expected a string argument, got ") +
                              Value::TypeName(arg.type()) +
                              " (quote it: YAML reads yes, 1, 1.0, null "
                              "as other types)");
        item_ok = false;
        continue;
      }
      if (i == 0 && IsBlank(arg.text())) {
        diags->Error(arg, "empty command: the program name is empty");
        item_ok = false;
        continue;
      }
      argv.push_back(arg.text());
    }
    if (!item_ok) {
      ok = false;
      continue;
    }
    script += ShellLine(argv) + "\n";
    ++*commands;
  }
  if (!ok) return std::nullopt;
  return script;
}

bool HasInterpreterLine(std::string_view content) {
  if (content.substr(0, 2) != "#!") return false;
  size_t end = content.find('\n');
  std::string_view line = content.substr(
      2, end == std::string_view::npos ? std::string_view::npos : end - 2);
  size_t i = line.find_first_not_of(" \t");
  return i != std::string_view::npos && line[i] != '\r';
}

void CompileScripts(const CompileInput& in, CompileOutput* out,
                    Diagnostics* diags) {
  const Value& config = in.config;
  const int timeout = ReadTimeout(config, diags);
  const std::string dir = kScriptDir;

  // bootcmd: every boot, before everything else.
  if (const Value* v = config.is_map() ? config.Get("bootcmd") : nullptr) {
    int n = 0;
    auto script = Shellify(*v, diags, &n);
    if (script && n > 0) {
      ScriptResource::Spec s;
      s.name = "bootcmd";
      s.freq = Frequency::kPerBoot;
      s.stage = kStageEarly;
      s.content = *script;
      s.file = dir + "/bootcmd";
      s.interpreter = {"/bin/sh"};
      s.commands = DirectCommands(*v).value_or(CommandList{});
      s.timeout_seconds = timeout;
      s.origin = v->Origin();
      out->Add(std::make_unique<ScriptResource>(std::move(s)));
    }
  }

  // The directories, in cloud-init's final-stage order.
  out->Add(std::make_unique<ScriptDirResource>(
      "/var/lib/cloud/scripts/per-once", Frequency::kOnce, kStageLate,
      timeout));
  out->Add(std::make_unique<ScriptDirResource>(
      "/var/lib/cloud/scripts/per-boot", Frequency::kPerBoot, kStageLate + 1,
      timeout));
  out->Add(std::make_unique<ScriptDirResource>(
      "/var/lib/cloud/scripts/per-instance", Frequency::kPerInstance,
      kStageLate + 2, timeout));

  // "#!" user-data parts, in the order given, once per instance.
  int stage = kStageLate + 3;
  std::set<std::string> names;
  for (const ScriptPart& part : in.scripts) {
    if (!HasInterpreterLine(part.content)) {
      Diagnostic d;
      d.file = "user-data part " + part.name;
      d.line = 1;
      d.col = 1;
      d.message =
          "script part has no interpreter line (it must start with "
          "\"#!/path/to/interpreter\"); it cannot be run";
      diags->Add(d);
      continue;
    }
    std::string safe = SafeName(part.name);
    std::string unique = safe;
    for (int k = 2; names.count(unique); ++k) {
      unique = safe + "-" + std::to_string(k);
    }
    names.insert(unique);
    ScriptResource::Spec s;
    s.name = "user-data/" + unique;
    s.freq = Frequency::kPerInstance;
    s.stage = stage++;
    s.content = part.content;
    s.file = dir + "/user-data/" + unique;
    s.timeout_seconds = timeout;
    s.origin = "user-data part " + part.name;
    out->Add(std::make_unique<ScriptResource>(std::move(s)));
  }

  // runcmd: once per instance, last. Always present (possibly empty) so
  // that its record survives a runcmd removed and added back.
  ScriptResource::Spec s;
  s.name = "runcmd";
  s.freq = Frequency::kPerInstance;
  s.stage = stage;
  s.file = dir + "/runcmd";
  s.interpreter = {"/bin/sh"};
  s.timeout_seconds = timeout;
  if (const Value* v = config.is_map() ? config.Get("runcmd") : nullptr) {
    int n = 0;
    auto script = Shellify(*v, diags, &n);
    if (script && n > 0) {
      s.content = *script;
      s.commands = DirectCommands(*v).value_or(CommandList{});
    }
    s.origin = v->Origin();
  }
  out->Add(std::make_unique<ScriptResource>(std::move(s)));
}

}  // namespace flamingo
