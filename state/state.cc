#include "state/state.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/json_text.h"

namespace flamingo {
namespace {

using json = nlohmann::ordered_json;

Action ActionFromName(const std::string& s) {
  for (Action a : {Action::kNone, Action::kCreate, Action::kUpdate,
                   Action::kDelete, Action::kRun}) {
    if (s == ActionName(a)) return a;
  }
  throw std::runtime_error("unknown action '" + s + "'");
}

Outcome OutcomeFromName(const std::string& s) {
  for (Outcome o : {Outcome::kUnchanged, Outcome::kChanged, Outcome::kFailed,
                    Outcome::kSkipped}) {
    if (s == OutcomeName(o)) return o;
  }
  throw std::runtime_error("unknown outcome '" + s + "'");
}

}  // namespace

json ResourceResultJson(const ResourceResult& r) {
  json j = {{"id", r.id},
            {"kind", r.kind},
            {"name", r.name},
            {"action", ActionName(r.action)},
            {"outcome", OutcomeName(r.outcome)}};
  if (!r.message.empty()) j["message"] = r.message;
  return j;
}

namespace {

// A run summary without its results (RunSummaryJson adds them).
json RunSummaryHeadJson(const RunSummary& r) {
  json j;
  j["time"] = r.time;
  j["command"] = r.command;
  if (!r.boot_id.empty()) j["boot_id"] = r.boot_id;
  j["instance_id"] = r.instance_id;
  j["datasource"] = r.datasource;
  j["ok"] = r.ok;
  j["fast_path"] = r.fast_path;
  return j;
}

// JSON text laid out exactly as nlohmann's dump(1) lays it out, written a
// member at a time: a state's records and results never exist as one DOM
// (at 1,000 files that copy was about a quarter of the peak heap). Small
// values are dumped by nlohmann (its escaping) and indented to their depth.
class StreamWriter {
 public:
  explicit StreamWriter(std::string* out) : out_(out) {}
  // Opens an object or array ('{' or '['): the document, or the value of
  // the Key or Element just written.
  void Open(char bracket) {
    out_->push_back(bracket);
    empty_.push_back(true);
  }
  void Close(char bracket) {
    bool empty = empty_.back();
    empty_.pop_back();
    if (!empty) NewLine();
    out_->push_back(bracket);
  }
  void Key(const std::string& key) {
    Next();
    out_->append(DumpJson(json(key)));
    out_->append(": ");
  }
  void Element() { Next(); }
  void Value(const json& value) {
    for (char c : DumpJson(value, 1)) {
      out_->push_back(c);
      if (c == '\n') out_->append(empty_.size(), ' ');
    }
  }
  // Every member of `object` (an object) as a member here.
  void Members(const json& object) {
    for (const auto& [key, value] : object.items()) {
      Key(key);
      Value(value);
    }
  }

 private:
  void Next() {
    if (!empty_.back()) out_->push_back(',');
    empty_.back() = false;
    NewLine();
  }
  void NewLine() {
    out_->push_back('\n');
    out_->append(empty_.size(), ' ');
  }
  std::string* out_;
  std::vector<bool> empty_;  // per open bracket: nothing in it yet
};

void WriteRunSummary(const RunSummary& r, StreamWriter* w) {
  w->Open('{');
  w->Members(RunSummaryHeadJson(r));
  w->Key("results");
  w->Open('[');
  for (const ResourceResult& res : r.results) {
    w->Element();
    w->Value(ResourceResultJson(res));
  }
  w->Close(']');
  w->Close('}');
}

void WriteRecord(const StoredRecord& rec, StreamWriter* w) {
  w->Open('{');
  w->Key("kind");
  w->Value(rec.kind);
  w->Key("name");
  w->Value(rec.name);
  w->Key("record");
  w->Value(rec.record);  // a few fields: one small DOM at a time
  w->Close('}');
}

// A boot run is usually also the last run: then it is written once, and
// "last_boot_run_is_last_run" says so (additive: a reader that does not know
// it sees no last_boot_run, which `status` then takes from last_run anyway).
void WriteRunSummaries(const State& s, StreamWriter* w) {
  if (s.last_run) {
    w->Key("last_run");
    WriteRunSummary(*s.last_run, w);
  }
  if (s.last_boot_run && s.last_run && *s.last_boot_run == *s.last_run) {
    w->Key("last_boot_run_is_last_run");
    w->Value(true);
  } else if (s.last_boot_run) {
    w->Key("last_boot_run");
    WriteRunSummary(*s.last_boot_run, w);
  }
}

// The boot overlay (kBootStatePath): the boot-scoped part of `s` on top of
// state.json of generation s.generation.
std::string SerializeBootOverlay(const State& s) {
  std::string out;
  StreamWriter w(&out);
  w.Open('{');
  w.Members(json{{"format_version", s.format_version},
                 {"base_generation", s.generation},
                 {"boot_id", s.boot_id}});
  w.Key("resources");
  w.Open('{');
  for (const std::string& id : s.boot_record_ids) {  // sorted, unique
    auto it = s.records.find(id);
    if (it == s.records.end()) continue;
    w.Key(id);
    WriteRecord(it->second, &w);
  }
  w.Close('}');
  WriteRunSummaries(s, &w);
  w.Close('}');
  out.push_back('\n');
  return out;
}

// About the size of SerializeState's text (a little over: each member's
// key, quotes, indentation and punctuation counted generously).
size_t SizeHint(const State& s) {
  size_t n = 512;
  for (const auto& [id, rec] : s.records) {
    n += 2 * id.size() + rec.kind.size() + rec.name.size() + 80;
    for (const auto& [k, v] : rec.record) n += k.size() + v.size() + 16;
  }
  for (const auto* run : {&s.last_run, &s.last_boot_run}) {
    if (!*run) continue;
    for (const ResourceResult& r : (*run)->results) {
      n += r.id.size() + r.kind.size() + r.name.size() + r.message.size() + 120;
    }
  }
  return n;
}

}  // namespace

std::string SerializeState(const State& s) {
  std::string out;
  out.reserve(SizeHint(s));  // grown by doubling, the old and new buffers
                             // were a third of a large run's peak heap
  StreamWriter w(&out);
  w.Open('{');
  w.Members(json{{"format_version", s.format_version},
                 {"generation", s.generation},
                 {"instance_id", s.instance_id},
                 {"input_sha256", s.input_sha256},
                 {"converged_sha256", s.converged_sha256},
                 {"every_boot_input", s.every_boot_input},
                 {"boot_id", s.boot_id}});
  w.Key("resources");
  w.Open('{');
  for (const auto& [id, rec] : s.records) {  // sorted by id
    w.Key(id);
    WriteRecord(rec, &w);
  }
  w.Close('}');
  WriteRunSummaries(s, &w);
  w.Close('}');
  out.push_back('\n');
  return out;
}

nlohmann::ordered_json RunSummaryJson(const RunSummary& r) {
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const auto& res : r.results) results.push_back(ResourceResultJson(res));
  json j = RunSummaryHeadJson(r);
  j["results"] = std::move(results);
  return j;
}

namespace {

RunSummary ParseRunSummary(const nlohmann::json& lr) {
  RunSummary r;
  r.time = lr.value("time", int64_t{0});
  r.command = lr.value("command", "");
  r.boot_id = lr.value("boot_id", "");
  r.instance_id = lr.value("instance_id", "");
  r.datasource = lr.value("datasource", "");
  r.ok = lr.value("ok", false);
  r.fast_path = lr.value("fast_path", false);
  for (const auto& res : lr.at("results")) {
    ResourceResult rr;
    rr.id = res.at("id").get<std::string>();
    rr.kind = res.at("kind").get<std::string>();
    rr.name = res.at("name").get<std::string>();
    rr.action = ActionFromName(res.at("action").get<std::string>());
    rr.outcome = OutcomeFromName(res.at("outcome").get<std::string>());
    rr.message = res.value("message", "");
    r.results.push_back(std::move(rr));
  }
  return r;
}

void ParseRecords(const nlohmann::json& resources, RecordMap* into,
                  std::set<std::string>* ids) {
  for (const auto& [id, rec] : resources.items()) {
    StoredRecord r;
    r.kind = rec.at("kind").get<std::string>();
    r.name = rec.at("name").get<std::string>();
    r.record = rec.at("record").get<Record>();
    (*into)[id] = std::move(r);
    if (ids != nullptr) ids->insert(id);
  }
}

void ParseRunSummaries(const nlohmann::json& j, State* s) {
  if (j.contains("last_run")) s->last_run = ParseRunSummary(j.at("last_run"));
  if (j.value("last_boot_run_is_last_run", false) && s->last_run) {
    s->last_boot_run = s->last_run;
  } else if (j.contains("last_boot_run")) {
    s->last_boot_run = ParseRunSummary(j.at("last_boot_run"));
  }
}

// Applies the boot overlay `text` to `s` when it extends s->generation.
// Anything wrong with it (torn by a power cut, stale, another version):
// false, and `s` is unchanged: the overlay is parsed whole first, then
// moved in (the state's own records are never copied).
bool ApplyBootOverlay(std::string_view text, State* s) {
  State overlay;
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object() || j.value("format_version", 0) != kStateFormatVersion ||
        j.value("base_generation", int64_t{-1}) != s->generation) {
      return false;
    }
    overlay.boot_id = j.value("boot_id", s->boot_id);
    if (j.contains("resources")) {
      ParseRecords(j.at("resources"), &overlay.records,
                   &overlay.boot_record_ids);
    }
    ParseRunSummaries(j, &overlay);
  } catch (const std::exception&) {
    return false;
  }
  s->boot_id = std::move(overlay.boot_id);
  for (auto& [id, rec] : overlay.records) s->records[id] = std::move(rec);
  s->boot_record_ids.merge(overlay.boot_record_ids);
  if (overlay.last_run) s->last_run = std::move(overlay.last_run);
  if (overlay.last_boot_run)
    s->last_boot_run = std::move(overlay.last_boot_run);
  return true;
}

}  // namespace

Result<State> ParseState(std::string_view text) {
  try {
    // Parsed into std::map objects (an ordered_json object would check every
    // key against all before it: O(N^2) in the number of records).
    nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object()) return Status::Error("not a JSON object");
    State s;
    s.format_version = j.at("format_version").get<int>();
    if (s.format_version > kStateFormatVersion || s.format_version < 1) {
      return Status::Error("format_version " +
                           std::to_string(s.format_version) +
                           " is not supported by this flamingo (" +
                           std::to_string(kStateFormatVersion) + ")");
    }
    s.generation = j.value("generation", int64_t{0});
    s.instance_id = j.value("instance_id", "");
    s.input_sha256 = j.value("input_sha256", "");
    s.converged_sha256 = j.value("converged_sha256", "");
    s.every_boot_input = j.value("every_boot_input", true);
    s.boot_id = j.value("boot_id", "");
    if (j.contains("resources")) {
      ParseRecords(j.at("resources"), &s.records, nullptr);
    }
    ParseRunSummaries(j, &s);
    return s;
  } catch (const std::exception& e) {
    return Status::Error(e.what());
  }
}

Result<std::optional<State>> LoadState(const SystemReader& sys,
                                       StateFiles* files) {
  StateFiles seen;
  auto st = sys.Stat(kStatePath);
  if (!st.ok()) return st.status().WithContext(kStatePath);
  seen.state = *st;
  if (files != nullptr) *files = seen;
  if (!st->has_value()) return std::optional<State>();
  auto text = sys.ReadFile(kStatePath);
  if (!text.ok()) return text.status().WithContext(kStatePath);
  auto state = ParseState(*text);
  if (!state.ok()) {
    return state.status().WithContext(std::string(kStatePath) + ": corrupt");
  }
  auto boot = sys.Stat(kBootStatePath);
  if (boot.ok() && boot->has_value()) {
    seen.boot = *boot;
    auto overlay = sys.ReadFile(kBootStatePath);
    if (overlay.ok()) ApplyBootOverlay(*overlay, &*state);
  }
  if (files != nullptr) *files = seen;
  return std::optional<State>(std::move(state).value());
}

bool StateFilesChanged(const SystemReader& sys, const StateFiles& files) {
  auto st = sys.Stat(kStatePath);
  auto boot = sys.Stat(kBootStatePath);
  if (!st.ok() || !boot.ok()) return true;
  return !SameFileVersion(*st, files.state) ||
         !SameFileVersion(*boot, files.boot);
}

Status SaveState(System& sys, State& state, SaveKind kind) {
  if (kind == SaveKind::kBootOnly) {
    // At boot the units' RuntimeDirectory made it; under --root /run may
    // be missing too.
    auto there = sys.Stat(kBootStateDir);
    Status dir = there.ok() ? Status::Ok() : there.status();
    if (dir.ok() && !there->has_value()) {
      dir = sys.MakeDirVolatile(ParentPath(kBootStateDir), {0755, 0, 0});
      if (dir.ok()) dir = sys.MakeDirVolatile(kBootStateDir, {0700, 0, 0});
    }
    if (!dir.ok()) return dir.WithContext("save boot state");
    return sys
        .WriteFileVolatile(kBootStatePath, SerializeBootOverlay(state),
                           FileAttrs{0600, 0, 0})
        .WithContext("save boot state");
  }
  Status st = MakeDirs(sys, kStateDir, FileAttrs{0700, 0, 0});
  if (!st.ok()) return st.WithContext("save state");
  ++state.generation;
  st = sys.WriteFile(kStatePath, SerializeState(state), FileAttrs{0600, 0, 0});
  if (!st.ok()) --state.generation;  // the file on disk is still the old one
  // The overlay is part of the new file now; a stale one would be ignored
  // anyway (older generation), removing it keeps the directory tidy.
  if (st.ok()) st = sys.RemoveVolatile(kBootStatePath);
  if (st.ok()) st = sys.Remove(kOldBootStatePath);
  if (st.ok()) st = sys.Sync();
  if (st.ok()) state.boot_record_ids.clear();
  return st.WithContext("save state");
}

}  // namespace flamingo
