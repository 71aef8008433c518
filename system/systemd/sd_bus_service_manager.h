// The real ServiceManager: systemd's D-Bus API (org.freedesktop.systemd1)
// through sd-bus: systemd's private socket /run/systemd/private when root
// (as systemctl does; works before dbus.service), else the system bus.
// Connects on first use (so creating one costs nothing when no unit is
// managed); a failed connection is reported by each call.
#pragma once

#include <memory>

#include "system/systemd/service_manager.h"

namespace flamingo {

std::unique_ptr<ServiceManager> NewSdBusServiceManager();

}  // namespace flamingo
