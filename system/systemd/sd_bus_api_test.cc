// The dlopen loader of sd-bus and what the service manager reports when
// libsystemd cannot be loaded.
#include "system/systemd/sd_bus_api.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "system/systemd/sd_bus_service_manager.h"

namespace flamingo {
namespace {

constexpr const char* kMissing = "libflamingo-no-such-library.so.0";

TEST(SdBusApiTest, MissingLibraryIsAClearErrorNamingIt) {
  Result<SdBusApi> api = LoadSdBusApi(kMissing);
  ASSERT_FALSE(api.ok());
  EXPECT_EQ(api.status().message(),
            std::string(kMissing) +
                ": cannot open shared object file: No such file or directory");
}

TEST(SdBusApiTest, LibraryWithoutSdBusNamesTheMissingSymbol) {
  // zlib is linked into flamingo, so it is there to load.
  Result<SdBusApi> api = LoadSdBusApi("libz.so.1");
  ASSERT_FALSE(api.ok());
  EXPECT_EQ(api.status().message(), "libz.so.1 has no sd_bus_new");
}

TEST(SdBusApiTest, LoadsEveryFunctionFromLibsystemd) {
  Result<SdBusApi> api = LoadSdBusApi(kLibsystemdSoname);
  ASSERT_TRUE(api.ok()) << api.status().message();
  EXPECT_NE(api->bus_new, nullptr);
  EXPECT_NE(api->bus_set_address, nullptr);
  EXPECT_NE(api->bus_start, nullptr);
  EXPECT_NE(api->bus_open_system, nullptr);
  EXPECT_NE(api->bus_unref, nullptr);
  EXPECT_NE(api->bus_flush_close_unref, nullptr);
  EXPECT_NE(api->bus_call_method, nullptr);
  EXPECT_NE(api->bus_get_property, nullptr);
  EXPECT_NE(api->bus_get_property_string, nullptr);
  EXPECT_NE(api->bus_get_property_trivial, nullptr);
  EXPECT_NE(api->bus_message_read, nullptr);
  EXPECT_NE(api->bus_message_unref, nullptr);
  EXPECT_NE(api->bus_error_free, nullptr);
  EXPECT_NE(api->bus_error_is_set, nullptr);
  // The pointers are the real functions: a bus object can be made and freed
  // without connecting anywhere.
  sd_bus* bus = nullptr;
  ASSERT_GE(api->bus_new(&bus), 0);
  ASSERT_NE(bus, nullptr);
  sd_bus_error e = SD_BUS_ERROR_NULL;
  EXPECT_EQ(api->bus_error_is_set(&e), 0);
  api->bus_error_free(&e);
  EXPECT_EQ(api->bus_unref(bus), nullptr);
}

TEST(SdBusApiTest, ProcessWideApiIsLoadedOnceFromAnyThread) {
  std::vector<const SdBusApi*> got(4, nullptr);
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&, i] { got[i] = SdBus(&errors[i]); });
  }
  for (auto& t : threads) t.join();
  ASSERT_NE(got[0], nullptr) << errors[0];
  for (size_t i = 1; i < got.size(); ++i) EXPECT_EQ(got[i], got[0]);
  EXPECT_EQ(SdBus(nullptr), got[0]);
}

TEST(SdBusServiceManagerTest, EveryCallReportsTheUnavailableApi) {
  auto services = NewSdBusServiceManagerForTest(kMissing);
  const std::string want =
      std::string("systemd D-Bus API unavailable: ") + kMissing +
      ": cannot open shared object file: No such file or directory";
  Result<UnitState> unit = services->GetUnit("ssh.service");
  ASSERT_FALSE(unit.ok());
  EXPECT_EQ(unit.status().message(), want);
  Status reload = services->Reload();
  EXPECT_FALSE(reload.ok());
  EXPECT_EQ(reload.message(), want);
  Status start = services->Enqueue(UnitCommand::kStart, "ssh.service");
  EXPECT_FALSE(start.ok());
  EXPECT_EQ(start.message(), want);
  // Asked again, the same answer (nothing half-loaded is used).
  EXPECT_EQ(services->GetUnit("ssh.service").status().message(), want);
}

}  // namespace
}  // namespace flamingo
