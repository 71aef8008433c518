// Change and Plan: what apply would do, as data (Terraform's plans.Plan,
// ninja's Plan). `flamingo plan` renders a Plan; `flamingo apply` executes it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
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

// A resource's id is "kind[name]" (Resource::Id); a kind has no '['.
// IdKind is the part before the first '[' (the whole id when there is
// none); IdName the part after it, less a closing ']' ("" when none).
std::string_view IdKind(std::string_view id);
std::string_view IdName(std::string_view id);

struct Change {
  std::string id;                                       // "file[/etc/motd]"
  std::string_view kind() const { return IdKind(id); }  // "file"
  std::string_view name() const { return IdName(id); }  // "/etc/motd"
  Action action = Action::kNone;
  std::vector<FieldChange> fields;
  // Why, for run actions and notes: "once per instance: not yet run".
  std::string reason;
};

}  // namespace flamingo
