// Change and Plan: what apply would do, as data (Terraform's plans.Plan,
// ninja's Plan). `flamingo plan` renders a Plan; `flamingo apply` executes it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace flamingo {

enum class Action { kNone, kCreate, kUpdate, kDelete, kRun };

// "create", "update", "delete", "run", "none".
const char* ActionName(Action a);

// One field's before and after. nullopt = absent. Sensitive values are kept
// for apply but never rendered: every renderer prints "(sensitive)".
struct FieldChange {
  std::string name;
  std::optional<std::string> before;
  std::optional<std::string> after;
  bool sensitive = false;
};

struct Change {
  std::string id;    // "file[/etc/motd]"
  std::string kind;  // "file"
  std::string name;  // "/etc/motd"
  Action action = Action::kNone;
  std::vector<FieldChange> fields;
  // Why, for run actions and notes: "once per instance: not yet run".
  std::string reason;
};

}  // namespace flamingo
