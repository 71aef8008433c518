#include "system/systemd/service_manager.h"

namespace flamingo {

const char* UnitCommandName(UnitCommand c) {
  switch (c) {
    case UnitCommand::kStart:
      return "start";
    case UnitCommand::kStop:
      return "stop";
    case UnitCommand::kRestart:
      return "restart";
    case UnitCommand::kReload:
      return "reload";
    case UnitCommand::kTryRestart:
      return "try-restart";
  }
  return "?";
}

}  // namespace flamingo
