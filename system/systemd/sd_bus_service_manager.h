// The real ServiceManager: systemd's D-Bus API (org.freedesktop.systemd1)
// through sd-bus: systemd's private socket /run/systemd/private when root
// (as systemctl does; works before dbus.service), else the system bus.
// Connects on first use (so creating one costs nothing when no unit is
// managed); a failed connection is reported by each call.
//
// libsystemd is loaded with dlopen(3) on first use too
// (system/systemd/sd_bus_api.h): the binary does not link it. When it cannot
// be loaded, each call fails with "systemd D-Bus API unavailable: <dlerror>".
#pragma once

#include <memory>
#include <string>

#include "system/systemd/service_manager.h"

namespace flamingo {

std::unique_ptr<ServiceManager> NewSdBusServiceManager();

// The same, with sd-bus loaded from the shared library `soname` instead of
// the process-wide libsystemd.so.0: for tests of the unavailable case.
std::unique_ptr<ServiceManager> NewSdBusServiceManagerForTest(
    std::string soname);

}  // namespace flamingo
