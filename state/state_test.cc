#include "state/state.h"

#include <gtest/gtest.h>

namespace flamingo {
namespace {

State Sample() {
  State s;
  s.instance_id = "iid-1";
  s.input_sha256 = "abc";
  s.converged_sha256 = "abc";
  s.boot_id = "boot-1";
  s.records["file[/etc/motd]"] = {"file", "/etc/motd",
                                  {{"created", "true"}, {"appended", "x"}}};
  RunSummary r;
  r.time = 1700000000;
  r.command = "apply --boot";
  r.instance_id = "iid-1";
  r.ok = false;
  r.results.push_back({"file[/a]", "file", "/a", Action::kCreate,
                       Outcome::kFailed, "write /a: No space left on device"});
  s.last_run = r;
  return s;
}

TEST(StateTest, RoundTrips) {
  State s = Sample();
  auto parsed = ParseState(SerializeState(s));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->instance_id, "iid-1");
  EXPECT_EQ(parsed->boot_id, "boot-1");
  ASSERT_EQ(parsed->records.size(), 1u);
  EXPECT_EQ(parsed->records.at("file[/etc/motd]").record.at("appended"), "x");
  ASSERT_TRUE(parsed->last_run.has_value());
  EXPECT_FALSE(parsed->last_run->ok);
  ASSERT_EQ(parsed->last_run->results.size(), 1u);
  EXPECT_EQ(parsed->last_run->results[0].outcome, Outcome::kFailed);
  EXPECT_EQ(parsed->last_run->results[0].action, Action::kCreate);
  EXPECT_EQ(SerializeState(*parsed), SerializeState(s));
}

TEST(StateTest, CorruptInputIsAnErrorNotACrash) {
  for (const char* bad :
       {"", "{", "[]", "{\"format_version\": \"x\"}", "null",
        "{\"format_version\": 1, \"resources\": {\"a\": 5}}",
        "{\"format_version\": 1, \"last_run\": {\"results\": [{}]}}"}) {
    EXPECT_FALSE(ParseState(bad).ok()) << bad;
  }
}

TEST(StateTest, NewerFormatIsRefusedWithItsVersion) {
  auto r = ParseState("{\"format_version\": 7}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "format_version 7 is not supported by this flamingo (1)");
}

}  // namespace
}  // namespace flamingo
