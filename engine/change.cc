#include "engine/change.h"

namespace flamingo {

const char* ActionName(Action a) {
  switch (a) {
    case Action::kNone: return "none";
    case Action::kCreate: return "create";
    case Action::kUpdate: return "update";
    case Action::kDelete: return "delete";
    case Action::kRun: return "run";
  }
  return "?";
}

}  // namespace flamingo
