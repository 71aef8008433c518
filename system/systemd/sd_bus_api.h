// libsystemd's sd-bus, loaded on first use with dlopen(3) (as
// sources/curl_api.h does for libcurl). Linking libsystemd maps it and its
// dependencies (libgcrypt, libgpg-error, liblzma, libzstd, liblz4, libcap)
// into every flamingo process, about a millisecond at every start; only a
// live run that manages units on a running systemd needs it.
//
// The function pointers are typed with the real prototypes from
// <systemd/sd-bus.h>, so calls are checked as if linked directly.
#pragma once

#include <systemd/sd-bus.h>

#include <string>

#include "engine/status.h"

namespace flamingo {

// The sd-bus functions flamingo calls.
struct SdBusApi {
  decltype(&sd_bus_new) bus_new;
  decltype(&sd_bus_set_address) bus_set_address;
  decltype(&sd_bus_start) bus_start;
  decltype(&sd_bus_open_system) bus_open_system;
  decltype(&sd_bus_unref) bus_unref;
  decltype(&sd_bus_flush_close_unref) bus_flush_close_unref;
  decltype(&sd_bus_call_method) bus_call_method;
  decltype(&sd_bus_get_property) bus_get_property;
  decltype(&sd_bus_get_property_string) bus_get_property_string;
  decltype(&sd_bus_get_property_trivial) bus_get_property_trivial;
  decltype(&sd_bus_message_read) bus_message_read;
  decltype(&sd_bus_message_unref) bus_message_unref;
  decltype(&sd_bus_error_free) bus_error_free;
  decltype(&sd_bus_error_is_set) bus_error_is_set;
};

// The shared library the process uses: libsystemd's stable soname.
inline constexpr const char* kLibsystemdSoname = "libsystemd.so.0";

// Loads the API from the shared library `soname` (dlopen RTLD_NOW |
// RTLD_LOCAL). Each call opens the library again (dlopen counts references;
// a library that loaded is never unloaded). The error is dlerror(3)'s message,
// which names the library ("libx.so.0: cannot open shared object file: No such
// file or directory"), or "<soname> has no <symbol>". For tests; use SdBus.
Result<SdBusApi> LoadSdBusApi(const char* soname);

// The API from kLibsystemdSoname, loaded once per process on the first call
// (thread-safe), or null with the reason (as LoadSdBusApi) in *error.
const SdBusApi* SdBus(std::string* error);

}  // namespace flamingo
