#include "system/systemd/sd_bus_service_manager.h"

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "system/systemd/sd_bus_api.h"

namespace flamingo {
namespace {

constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kUnit = "org.freedesktop.systemd1.Unit";
constexpr const char* kJob = "org.freedesktop.systemd1.Job";
constexpr const char* kPrivate = "/run/systemd/private";

// Frees sd-bus objects at scope exit.
struct BusError {
  explicit BusError(const SdBusApi& a) : api(a) {}
  BusError(const BusError&) = delete;
  BusError& operator=(const BusError&) = delete;
  ~BusError() { api.bus_error_free(&e); }
  const SdBusApi& api;
  sd_bus_error e = SD_BUS_ERROR_NULL;
};
struct Message {
  explicit Message(const SdBusApi& a) : api(a) {}
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;
  ~Message() { api.bus_message_unref(m); }
  const SdBusApi& api;
  sd_bus_message* m = nullptr;
};
struct FreeStr {
  char* s = nullptr;
  ~FreeStr() { std::free(s); }
};

Status BusFailure(const SdBusApi& api, const std::string& what, int r,
                  const sd_bus_error& e) {
  std::string msg = what + ": ";
  if (api.bus_error_is_set(&e) && e.message != nullptr) {
    msg += e.message;
  } else {
    msg += std::strerror(-r);
  }
  return Status::Error(msg);
}

const char* MethodFor(UnitCommand c) {
  switch (c) {
    case UnitCommand::kStart:
      return "StartUnit";
    case UnitCommand::kStop:
      return "StopUnit";
    case UnitCommand::kRestart:
      return "RestartUnit";
    case UnitCommand::kReload:
      return "ReloadUnit";
    case UnitCommand::kTryRestart:
      return "TryRestartUnit";
  }
  return "StartUnit";
}

class SdBusServiceManager : public ServiceManager {
 public:
  // An empty `soname`: the process-wide libsystemd (SdBus).
  explicit SdBusServiceManager(std::string soname)
      : soname_(std::move(soname)) {}
  ~SdBusServiceManager() override {
    if (bus_ != nullptr) api_->bus_flush_close_unref(bus_);
  }

  Result<UnitState> GetUnit(std::string_view name) const override {
    auto bus = Bus();
    if (!bus.ok()) return bus.status();
    const SdBusApi& api = *api_;
    std::string unit(name);
    std::string what = "systemd: unit " + unit;
    BusError err(api);
    Message reply(api);
    int r = api.bus_call_method(*bus, kDest, kPath, kManager, "LoadUnit",
                                &err.e, &reply.m, "s", unit.c_str());
    if (r < 0) return BusFailure(api, what + ": LoadUnit", r, err.e);
    const char* path = nullptr;
    r = api.bus_message_read(reply.m, "o", &path);
    if (r < 0) return BusFailure(api, what + ": LoadUnit reply", r, err.e);
    std::string object(path);
    UnitState st;
    for (auto [prop, out] : {std::pair{"LoadState", &st.load_state},
                             std::pair{"ActiveState", &st.active_state}}) {
      BusError pe(api);
      FreeStr s;
      r = api.bus_get_property_string(*bus, kDest, object.c_str(), kUnit, prop,
                                      &pe.e, &s.s);
      if (r < 0) return BusFailure(api, what + ": " + prop, r, pe.e);
      *out = s.s;
    }
    {
      BusError pe(api);
      int b = 0;
      r = api.bus_get_property_trivial(*bus, kDest, object.c_str(), kUnit,
                                       "NeedDaemonReload", &pe.e, 'b', &b);
      if (r >= 0) st.need_daemon_reload = b != 0;
    }
    st.job_type = JobType(api, *bus, object);
    return st;
  }

  Status Reload() override {
    auto bus = Bus();
    if (!bus.ok()) return bus.status();
    const SdBusApi& api = *api_;
    BusError err(api);
    int r = api.bus_call_method(*bus, kDest, kPath, kManager, "Reload", &err.e,
                                nullptr, "");
    if (r < 0) return BusFailure(api, "systemd: daemon-reload", r, err.e);
    return Status::Ok();
  }

  Status Enqueue(UnitCommand command, std::string_view name) override {
    auto bus = Bus();
    if (!bus.ok()) return bus.status();
    const SdBusApi& api = *api_;
    std::string unit(name);
    BusError err(api);
    // The reply (the job's object path) comes as soon as the job is queued;
    // the job itself is never waited for.
    int r =
        api.bus_call_method(*bus, kDest, kPath, kManager, MethodFor(command),
                            &err.e, nullptr, "ss", unit.c_str(), "replace");
    if (r < 0) {
      return BusFailure(
          api, std::string("systemd: ") + UnitCommandName(command) + " " + unit,
          r, err.e);
    }
    return Status::Ok();
  }

 private:
  // Loads sd-bus (once per manager; libsystemd once per process) and sets
  // api_, or says why it cannot.
  Status LoadApi() const {
    if (api_ != nullptr) return Status::Ok();
    std::string error;
    if (soname_.empty()) {
      api_ = SdBus(&error);
    } else {
      Result<SdBusApi> own = LoadSdBusApi(soname_.c_str());
      if (own.ok()) {
        own_api_ = *own;
        api_ = &*own_api_;
      } else {
        error = own.status().message();
      }
    }
    if (api_ == nullptr) {
      return Status::Error("systemd D-Bus API unavailable: " + error);
    }
    return Status::Ok();
  }

  Result<sd_bus*> Bus() const {
    if (bus_ != nullptr) return bus_;
    if (Status s = LoadApi(); !s.ok()) return s;
    const SdBusApi& api = *api_;
    // As root, systemd's private socket (what systemctl uses): it works
    // early in boot before dbus.service runs, and without a bus daemon.
    if (::geteuid() == 0 && ::access(kPrivate, F_OK) == 0) {
      sd_bus* bus = nullptr;
      int r = api.bus_new(&bus);
      if (r >= 0) {
        r = api.bus_set_address(bus, "unix:path=/run/systemd/private");
      }
      if (r >= 0) r = api.bus_start(bus);
      if (r >= 0) {
        bus_ = bus;
        return bus_;
      }
      api.bus_unref(bus);
    }
    int r = api.bus_open_system(&bus_);
    if (r < 0) {
      bus_ = nullptr;
      return Status::FromErrno("systemd: connect to the system bus", -r);
    }
    return bus_;
  }

  // The type of the unit's pending job, or "" (also when it just finished).
  static std::string JobType(const SdBusApi& api, sd_bus* bus,
                             const std::string& unit_path) {
    BusError err(api);
    Message reply(api);
    int r = api.bus_get_property(bus, kDest, unit_path.c_str(), kUnit, "Job",
                                 &err.e, &reply.m, "(uo)");
    if (r < 0) return "";
    uint32_t id = 0;
    const char* job = nullptr;
    if (api.bus_message_read(reply.m, "(uo)", &id, &job) < 0 || id == 0) {
      return "";
    }
    BusError je(api);
    FreeStr type;
    r = api.bus_get_property_string(bus, kDest, job, kJob, "JobType", &je.e,
                                    &type.s);
    return r < 0 ? "" : std::string(type.s);
  }

  const std::string soname_;
  mutable const SdBusApi* api_ = nullptr;
  mutable std::optional<SdBusApi> own_api_;
  mutable sd_bus* bus_ = nullptr;
};

}  // namespace

std::unique_ptr<ServiceManager> NewSdBusServiceManager() {
  return std::make_unique<SdBusServiceManager>(std::string());
}

std::unique_ptr<ServiceManager> NewSdBusServiceManagerForTest(
    std::string soname) {
  return std::make_unique<SdBusServiceManager>(std::move(soname));
}

}  // namespace flamingo
