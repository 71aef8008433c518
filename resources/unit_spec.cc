#include "resources/unit_spec.h"

#include <map>

#include "resources/unit_file.h"
#include "resources/unit_resource.h"

namespace flamingo {
namespace {

std::optional<bool> Bool(const Value& item, const char* key,
                         Diagnostics* diags) {
  const Value* v = item.Get(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_bool()) {
    diags->Error(*v, "expected true or false");
    return std::nullopt;
  }
  return v->as_bool();
}

const Value* String(const Value& item, const char* key, Diagnostics* diags) {
  const Value* v = item.Get(key);
  if (v == nullptr || v->is_null()) return nullptr;
  if (!v->is_string()) {
    diags->Error(*v, "expected a string");
    return nullptr;
  }
  return v;
}

std::string NetworkdNameError(const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == 0) return "a networkd file needs a name before its suffix";
  if (name.size() > 255) return "name longer than 255 characters";
  if (name[0] == '.' || name.find('/') != std::string::npos) {
    return "a networkd file name is a plain file name";
  }
  return "";
}

// Checks unit-file syntax; errors name the line inside the content.
bool CheckContent(const Value& v, Diagnostics* diags) {
  ParsedUnit parsed = ParseUnitFile(v.text());
  for (const auto& e : parsed.errors) {
    diags->Error(
        v, "line " + std::to_string(e.line) + " of the unit: " + e.message);
  }
  return parsed.errors.empty();
}

std::optional<UnitCommand> ParseCommand(const Value& v, Diagnostics* diags) {
  static const std::map<std::string, UnitCommand> kCommands = {
      {"start", UnitCommand::kStart},
      {"stop", UnitCommand::kStop},
      {"restart", UnitCommand::kRestart},
      {"reload", UnitCommand::kReload},
      {"try-restart", UnitCommand::kTryRestart}};
  auto it = kCommands.find(v.text());
  if (it == kCommands.end()) {
    diags->Error(v, "unknown command \"" + v.text() +
                        "\" (start, stop, restart, reload or try-restart)");
    return std::nullopt;
  }
  return it->second;
}

void ParseDropIns(const Value& list, UnitSpec* spec, Diagnostics* diags) {
  if (!list.is_list()) {
    diags->Error(list, "expected a list of {name, content}");
    return;
  }
  std::map<std::string, const Value*> seen;
  for (const auto& d : list.items()) {
    if (!d.is_map()) {
      diags->Error(d, "expected a map with name and content");
      continue;
    }
    const Value* name = String(d, "name", diags);
    const Value* content = String(d, "content", diags);
    if (name == nullptr) {
      diags->Error(d, "a drop-in needs a name");
      continue;
    }
    const std::string& n = name->text();
    if (n.size() < 6 || !n.ends_with(".conf") ||
        n.find('/') != std::string::npos || n.starts_with(".")) {
      diags->Error(*name, "a drop-in name is a file name ending in \".conf\"");
      continue;
    }
    if (seen.count(n) != 0) {
      diags->Error(*name, "drop-in \"" + n + "\" is listed twice");
      continue;
    }
    seen[n] = name;
    if (content == nullptr) {
      diags->Error(d, "drop-in \"" + n + "\" needs content");
      continue;
    }
    if (!CheckContent(*content, diags)) continue;
    spec->drop_ins.push_back({n, content->text()});
  }
}

struct Collected {
  std::vector<UnitSpec> specs;
  std::map<std::string, size_t> index;  // name -> specs[i]
};

// A unit listed again (CoreOS configs do: "stop" early, "restart" late)
// is merged: fields given once are combined, the later command replaces
// the earlier one (flamingo converges to the end state), and a field
// given twice with different values is an error.
void Merge(UnitSpec* into, UnitSpec from, const Value& item,
           Diagnostics* diags) {
  std::string again =
      "unit " + from.name + " (also declared at " + into->origin + "): ";
  if (into->content && from.content && *into->content != *from.content) {
    diags->Error(item, again + "content is given twice");
  } else if (from.content) {
    into->content = from.content;
  }
  for (auto& d : from.drop_ins) {
    for (const auto& e : into->drop_ins) {
      if (e.name == d.name) {
        diags->Error(item, again + "drop-in " + d.name + " is given twice");
      }
    }
    into->drop_ins.push_back(std::move(d));
  }
  auto flag = [&](std::optional<bool>* a, const std::optional<bool>& b,
                  const char* what) {
    if (*a && b && **a != *b) {
      diags->Error(item, again + what + " is both true and false");
    } else if (b) {
      *a = b;
    }
  };
  flag(&into->enable, from.enable, "enable");
  flag(&into->mask, from.mask, "mask");
  if (into->runtime != from.runtime) {
    diags->Error(item, again + "runtime differs");
  }
  if (into->command && from.command && *into->command != *from.command) {
    diags->Warning(item, again + "command " + UnitCommandName(*from.command) +
                             " replaces " + UnitCommandName(*into->command) +
                             " (flamingo converges to the last one)");
  }
  if (from.command) into->command = from.command;
  if (into->mask.value_or(false) && into->enable.value_or(false)) {
    diags->Error(item, "unit " + from.name + " is both masked and enabled");
  }
}

void CompileList(const Value& units, Collected* out, Diagnostics* diags) {
  if (!units.is_list()) {
    diags->Error(units, "expected a list of units");
    return;
  }
  for (const auto& item : units.items()) {
    auto spec = ParseUnitSpec(item, diags);
    if (!spec) continue;
    auto it = out->index.find(spec->name);
    if (it != out->index.end()) {
      Merge(&out->specs[it->second], std::move(*spec), item, diags);
      continue;
    }
    out->index[spec->name] = out->specs.size();
    out->specs.push_back(std::move(*spec));
  }
}

}  // namespace

bool IsNetworkdFile(const std::string& name) {
  return name.ends_with(".network") || name.ends_with(".netdev") ||
         name.ends_with(".link");
}

std::optional<UnitSpec> ParseUnitSpec(const Value& item, Diagnostics* diags) {
  if (!item.is_map()) {
    diags->Error(item, "expected a map with at least a name");
    return std::nullopt;
  }
  size_t before = diags->ErrorCount();
  UnitSpec spec;
  spec.origin = item.Origin();
  const Value* name = String(item, "name", diags);
  if (name == nullptr) {
    diags->Error(item, "a unit needs a name");
    return std::nullopt;
  }
  spec.name = name->text();
  spec.network = IsNetworkdFile(spec.name);
  std::string why =
      spec.network ? NetworkdNameError(spec.name) : UnitNameError(spec.name);
  if (!why.empty()) {
    diags->Error(*name, "invalid unit name \"" + spec.name + "\": " + why);
    return std::nullopt;
  }
  const Value* content = String(item, "content", diags);
  if (content != nullptr && CheckContent(*content, diags)) {
    spec.content = content->text();
  }
  const Value* drop_ins = item.Get("drop_ins");
  const Value* dash = item.Get("drop-ins");
  if (drop_ins != nullptr && dash != nullptr) {
    diags->Error(*dash, "give drop_ins or drop-ins, not both");
  } else if (drop_ins != nullptr || dash != nullptr) {
    ParseDropIns(drop_ins != nullptr ? *drop_ins : *dash, &spec, diags);
  }
  spec.enable = Bool(item, "enable", diags);
  spec.mask = Bool(item, "mask", diags);
  spec.runtime = Bool(item, "runtime", diags).value_or(false);
  if (const Value* c = String(item, "command", diags)) {
    spec.command = ParseCommand(*c, diags);
  }

  if (spec.network) {
    for (const char* key : {"enable", "mask", "command"}) {
      if (const Value* v = item.Get(key); v != nullptr && !v->is_null()) {
        diags->Error(*v, spec.name +
                             " is a systemd-networkd file, not a "
                             "unit: it has no " +
                             key);
      }
    }
  }
  bool masking = spec.mask.value_or(false);
  if (masking && spec.enable.value_or(false)) {
    diags->Error(*item.Get("enable"),
                 "unit " + spec.name + " is both masked and enabled");
  }
  if (masking && content != nullptr) {
    diags->Error(*content, "unit " + spec.name +
                               " is masked: its unit file would be replaced "
                               "by the mask (drop the content or the mask)");
  }
  if (masking && spec.command && *spec.command != UnitCommand::kStop) {
    diags->Error(*item.Get("command"),
                 "unit " + spec.name + " is masked and cannot be " +
                     UnitCommandName(*spec.command) + "ed");
  }
  if (IsUnitTemplate(spec.name) && spec.command) {
    diags->Error(*item.Get("command"),
                 "unit " + spec.name +
                     " is a template: a command needs an instance name "
                     "such as " +
                     UnitInstance(spec.name, "x"));
  }
  if (spec.enable.value_or(false) && spec.content) {
    InstallInfo info = ParseInstall(ParseUnitFile(*spec.content));
    if (info.Empty()) {
      diags->Error(*item.Get("enable"),
                   "unit " + spec.name +
                       " cannot be enabled: its content has no [Install] "
                       "section with WantedBy=, RequiredBy=, Alias= or Also=");
    } else if (IsUnitTemplate(spec.name) && info.default_instance.empty() &&
               (!info.wanted_by.empty() || !info.required_by.empty())) {
      diags->Error(*item.Get("enable"),
                   "unit " + spec.name +
                       " is a template without DefaultInstance=: enable an "
                       "instance instead");
    }
  }
  if (diags->ErrorCount() != before) return std::nullopt;
  return spec;
}

void CompileUnits(const CompileInput& in, CompileOutput* out,
                  Diagnostics* diags) {
  Collected seen;
  if (const Value* coreos = in.config.Get("coreos");
      coreos != nullptr && coreos->is_map()) {
    for (const auto& [key, v] : coreos->entries()) {
      if (key == "units") {
        CompileList(v, &seen, diags);
      } else {
        diags->Warning(v, "coreos." + key +
                              " is not implemented by flamingo (only "
                              "coreos.units is)");
      }
    }
  }
  if (const Value* sd = in.config.Get("systemd");
      sd != nullptr && sd->is_map()) {
    if (const Value* units = sd->Get("units")) {
      CompileList(*units, &seen, diags);
    }
  }
  for (auto& spec : seen.specs) {
    out->Add(std::make_unique<UnitResource>(std::move(spec)));
  }
}

}  // namespace flamingo
