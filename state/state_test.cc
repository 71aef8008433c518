#include "state/state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "system/fake_system.h"
#include "system/rooted_system.h"
#include "tests/blackbox.h"

namespace flamingo {
namespace {

State Sample() {
  State s;
  s.instance_id = "iid-1";
  s.input_sha256 = "abc";
  s.converged_sha256 = "abc";
  s.boot_id = "boot-1";
  s.records.Set("file[/etc/motd]", {{"created", "true"}, {"appended", "x"}});
  RunSummary r;
  r.time = 1700000000;
  r.command = "apply --boot";
  r.instance_id = "iid-1";
  r.ok = false;
  r.results.push_back({"file[/a]", Action::kCreate, Outcome::kFailed,
                       "write /a: No space left on device"});
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
  EXPECT_EQ(parsed->records.at("file[/etc/motd]").at("appended"), "x");
  ASSERT_TRUE(parsed->last_run.has_value());
  EXPECT_FALSE(parsed->last_run->ok);
  ASSERT_EQ(parsed->last_run->results.size(), 1u);
  EXPECT_EQ(parsed->last_run->results[0].outcome, Outcome::kFailed);
  EXPECT_EQ(parsed->last_run->results[0].action, Action::kCreate);
  EXPECT_EQ(SerializeState(*parsed), SerializeState(s));
}

// Streamed, as SaveState writes it: the whole document in pieces of about
// 64 KiB; a sink's error stops it.
TEST(StateTest, WrittenTextIsTheSerializedTextInPieces) {
  State s = Sample();
  for (int i = 0; i < 3000; ++i) {
    s.records.Set("file[/srv/f" + std::to_string(i) + "]",
                  {{"created", "true"}, {"sha256", std::string(64, 'f')}});
  }
  s.last_boot_run = s.last_run;
  std::vector<size_t> sizes;
  std::string text;
  ASSERT_TRUE(WriteStateText(s, [&](std::string_view piece) {
                sizes.push_back(piece.size());
                text.append(piece);
                return Status::Ok();
              }).ok());
  EXPECT_EQ(nlohmann::ordered_json::parse(text).dump(1) + "\n", text);
  auto parsed = ParseState(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->records, s.records);
  EXPECT_EQ(parsed->last_boot_run, s.last_boot_run);
  ASSERT_GT(sizes.size(), 3u);
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    EXPECT_GE(sizes[i], 64u * 1024) << i;
    EXPECT_LT(sizes[i], 65u * 1024) << i;
  }
  int calls = 0;
  Status st = WriteStateText(s, [&](std::string_view) {
    return ++calls == 2 ? Status::Error("disk full") : Status::Ok();
  });
  EXPECT_EQ(st.message(), "disk full");
  EXPECT_EQ(calls, 2);
}

// The state is written a member at a time; the text is laid out exactly as
// a whole document's dump(1) would be (keys in order, escapes, indents,
// empty objects and arrays).
TEST(StateTest, SerializedTextIsLaidOutAsTheWholeDocumentDump) {
  State s = Sample();
  s.generation = 3;
  s.records.Set("user[q\"uote\n\t\u00e9]", Record());
  s.records.Set("file[/z]", {{"k", "line1\nline2"}, {"\x01", "\\"}});
  RunSummary boot = *s.last_run;
  boot.boot_id = "boot-2";
  boot.results.clear();
  s.last_boot_run = boot;
  for (const State& each : {s, State{}}) {
    std::string text = SerializeState(each);
    EXPECT_EQ(nlohmann::ordered_json::parse(text).dump(1) + "\n", text);
  }
}

// Bytes that are not UTF-8 (a failed script's output in a message) are
// written as U+FFFD, never thrown on: the state is saved and reads back.
TEST(StateTest, InvalidUtf8IsWrittenAsReplacementCharacters) {
  State s = Sample();
  s.last_run->results[0].message = "output: \xff\xfe end";
  s.records.Set("file[/x]", {{"k\xc3", "v\x80"}});
  std::string text;
  ASSERT_NO_THROW(text = SerializeState(s));
  auto parsed = ParseState(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->last_run->results[0].message,
            "output: \xEF\xBF\xBD\xEF\xBF\xBD end");
  EXPECT_EQ(parsed->records.at("file[/x]").at("k\xEF\xBF\xBD"),
            "v\xEF\xBF\xBD");
}

TEST(StateTest, CorruptInputIsAnErrorNotACrash) {
  for (const char* bad :
       {"", "{", "[]", "{\"format_version\": \"x\"}", "null",
        "{\"format_version\": 1, \"resources\": {\"a\": 5}}",
        "{\"format_version\": 1, \"last_run\": {\"results\": [{}]}}"}) {
    EXPECT_FALSE(ParseState(bad).ok()) << bad;
  }
}

// What is wrong, and where: the byte offset in the file.
TEST(StateTest, CorruptInputNamesWhatAndWhere) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"format_version": 1, "resources": {"x": {"kind": 1}}})",
       "offset 50: expected a string"},
      {R"({"format_version": 1,})", "offset 21: expected a member name"},
      {R"({"format_version": 1, "generation": 1.5})",
       "offset 36: expected an integer"},
      {R"({"format_version": 1, "resources": {"x": {"kind": "f"}}})",
       "offset 41: a resource without kind, name or record"},
      {R"({"format_version": 1, "resources": {"file[/a]": {"kind": "file",)"
       R"( "name": "/b", "record": {}}}})",
       "offset 48: \"file[/a]\": kind and name are not those of the id"},
      {R"({"format_version": 1, "last_run": {"results": [{"id": "user[a]",)"
       R"( "kind": "group", "name": "a", "action": "none",)"
       R"( "outcome": "unchanged"}]}})",
       "offset 47: \"user[a]\": kind and name are not those of the id"},
      {R"({"format_version": 1, "last_run": {"ok": true}})",
       "offset 34: a run summary without results"},
      {R"({"generation": 2})", "no format_version"},
      {R"({"format_version": 1} {})", "offset 22: text after the document"},
  };
  for (const auto& [text, message] : cases) {
    auto r = ParseState(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().message(), message) << text;
  }
}

TEST(StateTest, NewerFormatIsRefusedWithItsVersion) {
  auto r = ParseState("{\"format_version\": 7}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "format_version 7 is not supported by this flamingo (1)");
}

// A FakeSystem holding Sample() saved durably once (generation 1).
class StateFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    State s = Sample();
    ASSERT_TRUE(SaveState(sys_, s).ok());
    ASSERT_EQ(s.generation, 1);
  }
  State Load(StateParts parts = StateParts::kAll) {
    auto st = LoadState(sys_, nullptr, parts);
    EXPECT_TRUE(st.ok() && st->has_value());
    return st.ok() && st->has_value() ? **st : State();
  }
  std::string StateText() { return sys_.GetFile(kStatePath)->content; }
  // StateText() with the first `opening` (a member's key and bracket)
  // replaced by `with`.
  std::string StateTextWith(std::string_view opening, std::string_view with) {
    std::string text = StateText();
    size_t at = text.find(opening);
    EXPECT_NE(at, std::string::npos) << opening;
    if (at != std::string::npos) text.replace(at, opening.size(), with);
    return text;
  }
  FakeSystem sys_;
};

TEST_F(StateFilesTest, BootOnlySaveLeavesStateJsonAndIsOverlaidOnLoad) {
  State s = Load();
  const std::string before = StateText();
  s.boot_id = "boot-2";
  s.last_run->command = "apply --boot";
  s.last_run->ok = true;
  s.records.Set("script[bootcmd]", {{"boot_id", "boot-2"}});
  s.boot_record_ids.insert("script[bootcmd]");
  const int syncs = sys_.sync_count();
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kBootOnly).ok());
  EXPECT_EQ(StateText(), before);
  EXPECT_EQ(sys_.sync_count(), syncs);  // nothing waits for the disk
  EXPECT_EQ(sys_.mutations().back(),
            std::string("volatile write ") + kBootStatePath);

  State again = Load();
  EXPECT_EQ(again.boot_id, "boot-2");
  EXPECT_TRUE(again.last_run->ok);
  EXPECT_EQ(again.records.at("script[bootcmd]").at("boot_id"), "boot-2");
  EXPECT_EQ(again.records.at("file[/etc/motd]").at("appended"), "x");
  EXPECT_EQ(again.boot_record_ids, std::set<std::string>{"script[bootcmd]"});
}

TEST_F(StateFilesTest, WithoutRunSummariesReadsAllButThem) {
  // An overlay with a newer last_run and a record of its own.
  State s = Load();
  s.last_boot_run = s.last_run;
  s.records.Set("script[bootcmd]", {{"boot_id", "b2"}});
  s.boot_record_ids.insert("script[bootcmd]");
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kBootOnly).ok());
  const State lean = Load(StateParts::kWithoutRunSummaries);
  EXPECT_FALSE(lean.last_run.has_value());
  EXPECT_FALSE(lean.last_boot_run.has_value());
  EXPECT_EQ(lean.instance_id, "iid-1");
  EXPECT_EQ(lean.generation, 1);
  EXPECT_EQ(lean.records.at("file[/etc/motd]").at("appended"), "x");
  EXPECT_EQ(lean.records.at("script[bootcmd]").at("boot_id"), "b2");
  // The whole load still has them.
  State full = Load();
  ASSERT_TRUE(full.last_run.has_value());
  EXPECT_EQ(full.last_run->results.size(), 1u);
  EXPECT_TRUE(full.last_boot_run.has_value());
  // Skipped summaries are not read, so not checked: a broken one does not
  // make the state corrupt for a plan (an apply still refuses it).
  std::string text = StateTextWith("\"last_run\": {",
                                   "\"last_run\": {\"results\": 7, \"x\": {");
  text.insert(text.rfind('}'), "}");
  EXPECT_TRUE(ParseState(text, StateParts::kWithoutRunSummaries).ok());
  EXPECT_FALSE(ParseState(text).ok());
}

TEST_F(StateFilesTest, LastBootRunPartReadsTheBootRunWhereverItIs) {
  State s = Load();
  // The boot run is the last run: written once, read as the boot run.
  s.last_boot_run = s.last_run;
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kDurable).ok());
  ASSERT_NE(StateText().find("\"last_boot_run_is_last_run\": true"),
            std::string::npos);
  State boot = Load(StateParts::kLastBootRun);
  EXPECT_FALSE(boot.last_run.has_value());
  ASSERT_TRUE(boot.last_boot_run.has_value());
  EXPECT_EQ(*boot.last_boot_run, *s.last_run);
  EXPECT_TRUE(boot.records.empty());
  EXPECT_FALSE(Load().records.empty());
  // A later run of another kind: the boot run is its own member.
  RunSummary later = *s.last_run;
  later.command = "apply";
  later.results.clear();
  s.last_run = later;
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kDurable).ok());
  boot = Load(StateParts::kLastBootRun);
  EXPECT_FALSE(boot.last_run.has_value());
  ASSERT_TRUE(boot.last_boot_run.has_value());
  EXPECT_EQ(boot.last_boot_run->command, "apply --boot");
  EXPECT_EQ(boot.last_boot_run->results.size(), 1u);
}

TEST(StateTest, ABrokenLastRunThatIsTheBootRunIsFoundWhereItIs) {
  const std::string text =
      R"({"format_version": 1, "last_run": {"results": [{"id": 1}]},)"
      R"( "last_boot_run_is_last_run": true})";
  for (StateParts parts : {StateParts::kAll, StateParts::kLastBootRun}) {
    auto r = ParseState(text, parts);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message(), "offset 54: expected a string");
  }
  EXPECT_TRUE(ParseState(text, StateParts::kWithoutRunSummaries).ok());
  // Not the boot run: an apply, which replaces it, does not read it.
  const std::string alone =
      R"({"format_version": 1, "last_run": {"results": [{"id": 1}]}})";
  EXPECT_TRUE(ParseState(alone, StateParts::kLastBootRun).ok());
  EXPECT_FALSE(ParseState(alone).ok());
}

// A boot's apply says its run is the boot run instead of copying it: saved
// and loaded as when the two were equal copies, durably and in the overlay.
TEST_F(StateFilesTest, BootRunIsLastRunIsSavedAsTheBootRun) {
  State s = Load();
  const RunSummary run = *s.last_run;
  for (SaveKind kind : {SaveKind::kDurable, SaveKind::kBootOnly}) {
    s = Load();
    s.last_run = run;
    s.last_run->command = "apply --boot";
    s.last_boot_run.reset();
    s.boot_run_is_last_run = true;
    ASSERT_TRUE(SaveState(sys_, s, kind).ok());
    for (StateParts parts : {StateParts::kAll, StateParts::kLastBootRun}) {
      State loaded = Load(parts);
      ASSERT_TRUE(loaded.last_boot_run.has_value());
      EXPECT_EQ(*loaded.last_boot_run, *s.last_run);
      EXPECT_FALSE(loaded.boot_run_is_last_run);
    }
  }
  // Without a last run there is nothing to say.
  s = Load();
  s.last_run.reset();
  s.last_boot_run.reset();
  s.boot_run_is_last_run = true;
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kDurable).ok());
  EXPECT_FALSE(Load().last_boot_run.has_value());
  EXPECT_EQ(StateText().find("last_boot_run"), std::string::npos);
}

TEST_F(StateFilesTest, LastBootRunReadsTheHeaderAndTheBootRunOnly) {
  State s = Load();
  s.last_boot_run = s.last_run;
  s.last_boot_run->command = "apply --boot";
  s.last_run->command = "apply";
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kDurable).ok());
  State kept = Load(StateParts::kLastBootRun);
  EXPECT_EQ(kept.instance_id, "iid-1");
  EXPECT_EQ(kept.generation, Load().generation);
  EXPECT_TRUE(kept.records.empty());
  EXPECT_FALSE(kept.last_run.has_value());
  ASSERT_TRUE(kept.last_boot_run.has_value());
  EXPECT_EQ(kept.last_boot_run->command, "apply --boot");
  EXPECT_EQ(kept.last_boot_run->results, s.last_boot_run->results);
  // The boot run that is the last run, and one in the boot overlay.
  s = Load();
  s.last_boot_run = s.last_run;
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kDurable).ok());
  EXPECT_EQ(Load(StateParts::kLastBootRun).last_boot_run, s.last_run);
  s = Load();
  s.boot_id = "b3";
  s.last_boot_run->command = "apply --boot --phase early";
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kBootOnly).ok());
  EXPECT_EQ(Load(StateParts::kLastBootRun).last_boot_run->command,
            "apply --boot --phase early");
  // Broken records are not read, so not checked.
  std::string text =
      StateTextWith("\"resources\": {", "\"resources\": {\"x\": 7, ");
  EXPECT_TRUE(ParseState(text, StateParts::kLastBootRun).ok());
  EXPECT_FALSE(ParseState(text).ok());
}

TEST_F(StateFilesTest, HeaderReadsNeitherRecordsNorSummaries) {
  State s = Load();
  s.boot_id = "b2";
  s.records.Set("script[bootcmd]", {{"boot_id", "b2"}});
  s.boot_record_ids.insert("script[bootcmd]");
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kBootOnly).ok());
  const State head = Load(StateParts::kHeader);
  EXPECT_EQ(head.instance_id, "iid-1");
  EXPECT_EQ(head.generation, 1);
  EXPECT_EQ(head.input_sha256, s.input_sha256);
  EXPECT_EQ(head.converged_sha256, s.converged_sha256);
  EXPECT_EQ(head.boot_id, "b2");  // the overlay's
  EXPECT_TRUE(head.records.empty());
  EXPECT_FALSE(head.last_run.has_value());
  EXPECT_FALSE(head.last_boot_run.has_value());
  // Broken records are not read, so not checked: the whole load finds them.
  std::string text =
      StateTextWith("\"resources\": {", "\"resources\": {\"x\": 7, ");
  EXPECT_TRUE(ParseState(text, StateParts::kHeader).ok());
  EXPECT_FALSE(ParseState(text).ok());
}

TEST_F(StateFilesTest, DurableSaveFoldsTheOverlayInAndRemovesIt) {
  State s = Load();
  s.records.Set("script[bootcmd]", {{"boot_id", "b2"}});
  s.boot_record_ids.insert("script[bootcmd]");
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kBootOnly).ok());
  State loaded = Load();
  ASSERT_TRUE(SaveState(sys_, loaded, SaveKind::kDurable).ok());
  EXPECT_EQ(loaded.generation, 2);
  EXPECT_TRUE(loaded.boot_record_ids.empty());
  EXPECT_FALSE(sys_.Exists(kBootStatePath));
  auto parsed = ParseState(StateText());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->generation, 2);
  EXPECT_EQ(parsed->records.at("script[bootcmd]").at("boot_id"), "b2");
}

TEST_F(StateFilesTest, OverlayLivesInRunAndTheOldOneIsRemovedWithIt) {
  EXPECT_EQ(std::string(kBootStatePath), "/run/flamingo/boot.json");
  // An overlay where flamingo 0.1 kept it is never read...
  State s = Load();
  s.boot_id = "boot-old";
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kBootOnly).ok());
  sys_.AddFile(kOldBootStatePath, sys_.GetFile(kBootStatePath)->content);
  ASSERT_TRUE(sys_.RemoveVolatile(kBootStatePath).ok());
  EXPECT_EQ(Load().boot_id, "boot-1");
  // ...and is removed by the next durable save, as the current one is.
  State loaded = Load();
  ASSERT_TRUE(SaveState(sys_, loaded, SaveKind::kBootOnly).ok());
  ASSERT_TRUE(SaveState(sys_, loaded, SaveKind::kDurable).ok());
  EXPECT_FALSE(sys_.Exists(kOldBootStatePath));
  EXPECT_FALSE(sys_.Exists(kBootStatePath));
}

TEST_F(StateFilesTest, StaleOrTornOverlayIsIgnored) {
  State s = Load();
  s.boot_id = "from-overlay";
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kBootOnly).ok());
  const std::string overlay = sys_.GetFile(kBootStatePath)->content;
  // Torn by a power cut: empty, or cut short.
  for (std::string bad : {std::string(), overlay.substr(0, overlay.size() / 2),
                          std::string("{\"format_version\": 1}")}) {
    sys_.AddFile(kBootStatePath, bad);
    EXPECT_EQ(Load().boot_id, "boot-1") << bad;
  }
  // Stale: state.json was saved durably since (generation 2), e.g. by a
  // flamingo that did not know the overlay.
  sys_.AddFile(kBootStatePath, overlay);
  State newer = Sample();
  newer.generation = 2;
  sys_.AddFile(kStatePath, SerializeState(newer));
  EXPECT_EQ(Load().boot_id, "boot-1");
}

TEST_F(StateFilesTest, StateFilesChangedSeesEitherFile) {
  StateFiles seen;
  ASSERT_TRUE(LoadState(sys_, &seen).ok());
  EXPECT_FALSE(StateFilesChanged(sys_, seen));
  State s = Load();
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kBootOnly).ok());
  EXPECT_TRUE(StateFilesChanged(sys_, seen));
  ASSERT_TRUE(LoadState(sys_, &seen).ok());
  EXPECT_FALSE(StateFilesChanged(sys_, seen));
  ASSERT_TRUE(SaveState(sys_, s, SaveKind::kDurable).ok());
  EXPECT_TRUE(StateFilesChanged(sys_, seen));
}

TEST(StateTest, ABootRunThatIsTheLastRunIsWrittenOnce) {
  State s = Sample();
  s.last_boot_run = s.last_run;
  std::string text = SerializeState(s);
  EXPECT_NE(text.find("\"last_boot_run_is_last_run\": true"),
            std::string::npos);
  EXPECT_EQ(text.find("\"last_boot_run\":"), std::string::npos);
  auto parsed = ParseState(text);
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(parsed->last_boot_run.has_value());
  EXPECT_EQ(*parsed->last_boot_run, *s.last_run);
  // A later run of another kind: both are written.
  s.last_run->command = "apply --reconcile";
  parsed = ParseState(SerializeState(s));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->last_boot_run->command, "apply --boot");
  EXPECT_EQ(parsed->last_run->command, "apply --reconcile");
}

TEST(StateTest, OlderFilesWithoutGenerationLoadAsGenerationZero) {
  auto parsed = ParseState(
      "{\"format_version\": 1, \"instance_id\": \"i\", \"resources\": {}}");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->generation, 0);
}

}  // namespace
}  // namespace flamingo

namespace flamingo {
namespace {

// A state of thousands of records, in a real root: read through a mapping
// whose pages are given back as the reader passes them (FileText), and
// last_run read again from its offset when it is also the boot run.
TEST(StateMappedTest, LargeStateReadsTheSameThroughAMapping) {
  blackbox::TempDir tmp;
  std::filesystem::create_directories(tmp.path() + "/root");
  auto sys = RootedSystem::Open(tmp.path() + "/root");
  ASSERT_TRUE(sys.ok()) << sys.status().message();
  State s = Sample();
  RunSummary run = *s.last_run;
  for (int i = 0; i < 6000; ++i) {
    const std::string id = "file[/srv/f" + std::to_string(i) + "]";
    s.records.Set(id, {{"created", "true"}});
    run.results.push_back({id, Action::kCreate, Outcome::kChanged, ""});
  }
  s.last_run = run;
  s.last_boot_run = run;
  ASSERT_TRUE(SaveState(**sys, s).ok());
  const std::string text =
      blackbox::ReadFile(tmp.path() + "/root" + std::string(kStatePath));
  ASSERT_GT(text.size(), 4 * FileText::kReleaseStep);
  ASSERT_NE(text.find("\"last_boot_run_is_last_run\": true"),
            std::string::npos);
  for (StateParts parts : {StateParts::kAll, StateParts::kLastBootRun}) {
    auto loaded = LoadState(**sys, nullptr, parts);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    ASSERT_TRUE(loaded->has_value());
    const State& got = **loaded;
    if (parts == StateParts::kAll) {
      EXPECT_EQ(got.records, s.records);
    } else {
      EXPECT_TRUE(got.records.empty());
    }
    ASSERT_TRUE(got.last_boot_run.has_value());
    EXPECT_EQ(got.last_boot_run->results, run.results);
    EXPECT_EQ(got.last_run.has_value(), parts == StateParts::kAll);
    auto parsed = ParseState(text, parts);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed->records, got.records);
  }
  // A boot-only save: the overlay, as large, is read the same way.
  RunSummary later = run;
  later.command = "apply";
  later.results.back().message = "the last one";
  s.last_run = later;
  ASSERT_TRUE(SaveState(**sys, s, SaveKind::kBootOnly).ok());
  ASSERT_GT(
      blackbox::ReadFile(tmp.path() + "/root" + std::string(kBootStatePath))
          .size(),
      4 * FileText::kReleaseStep);
  auto loaded = LoadState(**sys, nullptr, StateParts::kAll);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  ASSERT_TRUE((*loaded)->last_run.has_value());
  EXPECT_EQ((*loaded)->last_run->command, "apply");
  EXPECT_EQ((*loaded)->last_run->results, later.results);
  EXPECT_EQ((*loaded)->last_boot_run->results, run.results);
  EXPECT_EQ((*loaded)->records, s.records);
}

}  // namespace
}  // namespace flamingo
