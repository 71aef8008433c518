#include "cli/render.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/json_text.h"

namespace flamingo {
namespace {

using nlohmann::ordered_json;

ordered_json ShownJson(const std::optional<std::string>& v, bool sensitive) {
  if (!v) return nullptr;
  if (sensitive) return "(sensitive)";
  return *v;
}

// The JSON plan as the DOM renderer wrote it before the streamed writer:
// the reference the streamed text must equal byte for byte.
std::string DomPlanJson(const Plan& plan, const std::string& instance_id) {
  ordered_json j;
  j["format_version"] = kPlanFormatVersion;
  j["instance_id"] = instance_id;
  j["summary"] = {{"create", plan.Count(Action::kCreate)},
                  {"update", plan.Count(Action::kUpdate)},
                  {"delete", plan.Count(Action::kDelete)},
                  {"run", plan.Count(Action::kRun)}};
  ordered_json changes = ordered_json::array();
  ordered_json errors = ordered_json::array();
  for (const auto& item : plan.items) {
    if (!item.error.ok()) {
      errors.push_back(
          {{"id", item.change.id}, {"message", item.error.message()}});
      continue;
    }
    const Change& c = item.change;
    if (c.action == Action::kNone) continue;
    ordered_json fields = ordered_json::array();
    for (const auto& f : c.fields) {
      fields.push_back({{"name", f.name},
                        {"before", ShownJson(f.before, f.sensitive)},
                        {"after", ShownJson(f.after, f.sensitive)},
                        {"sensitive", f.sensitive}});
    }
    ordered_json jc = {{"id", c.id},
                       {"kind", c.kind()},
                       {"name", c.name()},
                       {"action", ActionName(c.action)}};
    if (!c.reason.empty()) jc["reason"] = c.reason;
    jc["fields"] = std::move(fields);
    changes.push_back(std::move(jc));
  }
  j["changes"] = std::move(changes);
  j["warnings"] = plan.warnings;
  j["notes"] = plan.notes;
  j["errors"] = std::move(errors);
  return DumpJson(j, 2) + "\n";
}

// The apply and status documents as the DOM renderers wrote them: the
// references the streamed text must equal.
ordered_json ResultDom(const ResourceResult& r) {
  ordered_json j = ordered_json::object();
  j["id"] = r.id;
  j["kind"] = r.kind();
  j["name"] = r.name();
  j["action"] = ActionName(r.action);
  j["outcome"] = OutcomeName(r.outcome);
  if (!r.message.empty()) j["message"] = r.message;
  return j;
}

ordered_json SummaryDom(const RunSummary& r) {
  ordered_json results = ordered_json::array();
  for (const auto& res : r.results) results.push_back(ResultDom(res));
  ordered_json j = ordered_json::object();
  j["time"] = r.time;
  j["command"] = r.command;
  if (!r.boot_id.empty()) j["boot_id"] = r.boot_id;
  j["instance_id"] = r.instance_id;
  j["datasource"] = r.datasource;
  j["ok"] = r.ok;
  j["fast_path"] = r.fast_path;
  j["results"] = std::move(results);
  return j;
}

std::string DomApplyJson(const ApplyReport& report,
                         const std::string& instance_id) {
  ordered_json j;
  j["format_version"] = kPlanFormatVersion;
  j["instance_id"] = instance_id;
  j["ok"] = report.ok();
  j["summary"] = {{"changed", report.Count(Outcome::kChanged)},
                  {"unchanged", report.Count(Outcome::kUnchanged)},
                  {"failed", report.Count(Outcome::kFailed)},
                  {"skipped", report.Count(Outcome::kSkipped)}};
  ordered_json arr = ordered_json::array();
  for (const auto& r : report.results) arr.push_back(ResultDom(r));
  j["results"] = std::move(arr);
  return DumpJson(j, 2) + "\n";
}

std::string DomStatusJson(const State& state) {
  ordered_json j;
  j["format_version"] = kStateFormatVersion;
  j["instance_id"] = state.instance_id;
  j["last_run"] = state.last_run ? SummaryDom(*state.last_run) : nullptr;
  j["last_boot_run"] =
      state.last_boot_run ? SummaryDom(*state.last_boot_run) : nullptr;
  return DumpJson(j, 2) + "\n";
}

ResourceResult Result(std::string id, Outcome outcome, std::string message) {
  return {id, Action::kCreate, outcome, std::move(message)};
}

// WriteApplyJson's pieces, joined.
std::string ApplyJson(const ApplyReport& report, const std::string& iid) {
  std::string all;
  WriteApplyJson(report, iid, [&](std::string_view s) { all += s; });
  return all;
}

TEST(WriteApplyJsonTest, IsTheDomsText) {
  ApplyReport report;
  EXPECT_EQ(ApplyJson(report, "iid"), DomApplyJson(report, "iid"));
  report.results.push_back(Result("file[/a]", Outcome::kChanged, ""));
  report.results.push_back(
      Result("script[runcmd]", Outcome::kFailed, "exit 1: \"x\"\n\xff"));
  report.results.push_back(Result("file[/b]", Outcome::kSkipped, "skipped"));
  report.results.push_back(Result("file[/c]", Outcome::kUnchanged, ""));
  EXPECT_EQ(ApplyJson(report, "iid\x01"), DomApplyJson(report, "iid\x01"));
}

// 10,000 results go out in pieces of about 64 KiB, never one string; the
// pieces make the whole text.
TEST(WriteApplyTest, HandsOverPiecesOfAbout64KiB) {
  ApplyReport report;
  for (int i = 0; i < 10000; ++i) {
    report.results.push_back(
        Result("file[/srv/bench/file-" + std::to_string(i) + ".conf]",
               Outcome::kChanged, ""));
  }
  for (bool json : {false, true}) {
    std::vector<size_t> sizes;
    std::string all;
    auto sink = [&](std::string_view piece) {
      sizes.push_back(piece.size());
      all += piece;
    };
    if (json) {
      WriteApplyJson(report, "iid", sink);
      EXPECT_EQ(all, DomApplyJson(report, "iid"));
    } else {
      WriteApplyText(report, sink);
      EXPECT_EQ(all.substr(0, 38), "+ file[/srv/bench/file-0.conf]: create");
    }
    EXPECT_GT(sizes.size(), 5u) << json;
    for (size_t n : sizes) EXPECT_LT(n, (64u << 10) + 512) << json;
  }
}

TEST(RenderStatusJsonTest, IsTheDomsText) {
  State state;
  EXPECT_EQ(RenderStatusJson(state), DomStatusJson(state));
  state.instance_id = "iid-1";
  RunSummary run;
  run.time = 1700000000;
  run.command = "apply --boot";
  run.boot_id = "b1";
  run.instance_id = "iid-1";
  run.datasource = "nocloud";
  run.ok = false;
  run.results.push_back(Result("file[/a]", Outcome::kFailed, "no space"));
  state.last_run = run;
  EXPECT_EQ(RenderStatusJson(state), DomStatusJson(state));
  run.boot_id.clear();
  run.results.clear();
  state.last_boot_run = run;
  EXPECT_EQ(RenderStatusJson(state), DomStatusJson(state));
}

PlanItem Item(Action action, std::string id, std::vector<FieldChange> fields,
              std::string reason = "") {
  PlanItem item;
  item.change.id = id;
  item.change.action = action;
  item.change.fields = std::move(fields);
  item.change.reason = std::move(reason);
  return item;
}

std::string Streamed(const Plan& plan, const std::string& iid) {
  std::string out;
  int pieces = 0;
  WritePlanJson(plan, iid, [&](std::string_view piece) {
    out += piece;
    ++pieces;
  });
  // One piece per change and one for the rest: never the whole document.
  EXPECT_EQ(pieces, plan.Count(Action::kCreate) + plan.Count(Action::kUpdate) +
                        plan.Count(Action::kDelete) + plan.Count(Action::kRun) +
                        1);
  return out;
}

TEST(RenderPlanJsonTest, EmptyPlanIsTheDomsText) {
  Plan plan;
  EXPECT_EQ(Streamed(plan, "iid"), DomPlanJson(plan, "iid"));
}

TEST(RenderPlanJsonTest, EveryKindOfMemberIsTheDomsText) {
  Plan plan;
  plan.Add(Item(Action::kCreate, "file[/a \"q\"]",
                {{"content", std::nullopt, "sha256:ab", false},
                 {"mode", std::nullopt, "0644", false}}),
           Plan::Keep::kItem);
  plan.Add(
      Item(Action::kUpdate, "user[bob]", {{"password", "old", "new", true}}),
      Plan::Keep::kItem);
  plan.Add(Item(Action::kNone, "file[/same]", {}), Plan::Keep::kItem);
  plan.Add(Item(Action::kDelete, "sudo[x]", {}), Plan::Keep::kItem);
  plan.Add(Item(Action::kRun, "script[runcmd]", {}, "once per instance"),
           Plan::Keep::kItem);
  PlanItem failed = Item(Action::kNone, "file[/bad\x01\xff]", {});
  failed.error = Status::Error("cannot read: \xc3\x28 tab\t");
  plan.Add(std::move(failed), Plan::Keep::kItem);
  plan.warnings = {"w1", "line\nbreak"};
  plan.notes = {"n1"};
  std::string dom = DomPlanJson(plan, "iid-\xe2\x82");
  EXPECT_EQ(Streamed(plan, "iid-\xe2\x82"), dom);
  // Secrets never: the password's values are not in the text.
  EXPECT_EQ(dom.find("old"), std::string::npos);
  EXPECT_NE(dom.find("(sensitive)"), std::string::npos);
}

RC_GTEST_PROP(RenderPlanJsonProperty, StreamedTextIsTheDomsText, ()) {
  Plan plan;
  const auto n = *rc::gen::inRange<size_t>(0, 6);
  for (size_t i = 0; i < n; ++i) {
    const auto action =
        *rc::gen::element(Action::kNone, Action::kCreate, Action::kUpdate,
                          Action::kDelete, Action::kRun);
    std::vector<FieldChange> fields;
    const auto nf = *rc::gen::inRange<size_t>(0, 3);
    for (size_t f = 0; f < nf; ++f) {
      FieldChange fc;
      fc.name = *rc::gen::arbitrary<std::string>();
      if (*rc::gen::arbitrary<bool>()) {
        fc.before = *rc::gen::arbitrary<std::string>();
      }
      if (*rc::gen::arbitrary<bool>()) {
        fc.after = *rc::gen::arbitrary<std::string>();
      }
      fc.sensitive = *rc::gen::arbitrary<bool>();
      fields.push_back(std::move(fc));
    }
    PlanItem item =
        Item(action, "k[" + *rc::gen::arbitrary<std::string>() + "]",
             std::move(fields), *rc::gen::arbitrary<std::string>());
    if (*rc::gen::inRange(0, 5) == 0) {
      item.error = Status::Error(*rc::gen::arbitrary<std::string>());
    }
    plan.Add(std::move(item), Plan::Keep::kItem);
  }
  plan.warnings = *rc::gen::container<std::vector<std::string>>(
      rc::gen::arbitrary<std::string>());
  plan.notes = *rc::gen::container<std::vector<std::string>>(
      rc::gen::arbitrary<std::string>());
  const std::string iid = *rc::gen::arbitrary<std::string>();
  std::string streamed;
  WritePlanJson(plan, iid, [&](std::string_view piece) { streamed += piece; });
  RC_ASSERT(streamed == DomPlanJson(plan, iid));
}

}  // namespace
}  // namespace flamingo
