#include "engine/change.h"

namespace flamingo {

const char* ActionName(Action a) {
  switch (a) {
    case Action::kNone:
      return "none";
    case Action::kCreate:
      return "create";
    case Action::kUpdate:
      return "update";
    case Action::kDelete:
      return "delete";
    case Action::kRun:
      return "run";
  }
  return "?";
}

std::string_view IdKind(std::string_view id) {
  return id.substr(0, id.find('['));
}

std::string_view IdName(std::string_view id) {
  size_t open = id.find('[');
  if (open == std::string_view::npos) return {};
  std::string_view name = id.substr(open + 1);
  if (!name.empty() && name.back() == ']') name.remove_suffix(1);
  return name;
}

}  // namespace flamingo
