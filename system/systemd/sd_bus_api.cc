#include "system/systemd/sd_bus_api.h"

#include <dlfcn.h>

#include <mutex>

namespace flamingo {
namespace {

template <typename F>
bool Sym(void* lib, const char* soname, const char* name, F* out,
         std::string* error) {
  void* p = dlsym(lib, name);
  if (p == nullptr) {
    *error = std::string(soname) + " has no " + name;
    return false;
  }
  *out = reinterpret_cast<F>(p);
  return true;
}

}  // namespace

Result<SdBusApi> LoadSdBusApi(const char* soname) {
  void* lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* e = dlerror();
    return Status::Error(e != nullptr ? e
                                      : std::string("cannot load ") + soname);
  }
  SdBusApi a{};
  std::string error;
  if (!Sym(lib, soname, "sd_bus_new", &a.bus_new, &error) ||
      !Sym(lib, soname, "sd_bus_set_address", &a.bus_set_address, &error) ||
      !Sym(lib, soname, "sd_bus_start", &a.bus_start, &error) ||
      !Sym(lib, soname, "sd_bus_open_system", &a.bus_open_system, &error) ||
      !Sym(lib, soname, "sd_bus_unref", &a.bus_unref, &error) ||
      !Sym(lib, soname, "sd_bus_flush_close_unref", &a.bus_flush_close_unref,
           &error) ||
      !Sym(lib, soname, "sd_bus_call_method", &a.bus_call_method, &error) ||
      !Sym(lib, soname, "sd_bus_get_property", &a.bus_get_property, &error) ||
      !Sym(lib, soname, "sd_bus_get_property_string",
           &a.bus_get_property_string, &error) ||
      !Sym(lib, soname, "sd_bus_get_property_trivial",
           &a.bus_get_property_trivial, &error) ||
      !Sym(lib, soname, "sd_bus_message_read", &a.bus_message_read, &error) ||
      !Sym(lib, soname, "sd_bus_message_unref", &a.bus_message_unref, &error) ||
      !Sym(lib, soname, "sd_bus_error_free", &a.bus_error_free, &error) ||
      !Sym(lib, soname, "sd_bus_error_is_set", &a.bus_error_is_set, &error)) {
    dlclose(lib);
    return Status::Error(error);
  }
  return a;
}

const SdBusApi* SdBus(std::string* error) {
  static std::once_flag once;
  static Result<SdBusApi>* loaded = nullptr;
  std::call_once(once, [] {
    loaded = new Result<SdBusApi>(LoadSdBusApi(kLibsystemdSoname));
  });
  if (!loaded->ok()) {
    if (error != nullptr) *error = loaded->status().message();
    return nullptr;
  }
  return &loaded->value();
}

}  // namespace flamingo
