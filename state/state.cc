#include "state/state.h"

#include <string>
#include <vector>

#include "engine/json_text.h"
#include "state/json_reader.h"

namespace flamingo {
namespace {

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

// The members of one result and of a run summary's head (without its
// results), in their order. `member` is
// called with a key and a string, int64_t or bool value.
template <typename Member>
void ResultMembers(const ResourceResult& r, Member&& member) {
  member("id", r.id);
  member("kind", r.kind());
  member("name", r.name());
  member("action", std::string_view(ActionName(r.action)));
  member("outcome", std::string_view(OutcomeName(r.outcome)));
  if (!r.message.empty()) member("message", r.message);
}

template <typename Member>
void RunSummaryHeadMembers(const RunSummary& r, Member&& member) {
  member("time", int64_t{r.time});
  member("command", r.command);
  if (!r.boot_id.empty()) member("boot_id", r.boot_id);
  member("instance_id", r.instance_id);
  member("datasource", r.datasource);
  member("ok", r.ok);
  member("fast_path", r.fast_path);
}

// Calls JsonStreamWriter::Member, for ResultMembers and RunSummaryHeadMembers.
struct WriterMember {
  JsonStreamWriter* w;
  template <typename V>
  void operator()(std::string_view key, const V& value) const {
    w->Member(key, value);
  }
};

}  // namespace

void WriteResourceResultJson(const ResourceResult& r, JsonStreamWriter* w) {
  w->Open('{');
  ResultMembers(r, WriterMember{w});
  w->Close('}');
}

void WriteRunSummaryJson(const RunSummary& r, JsonStreamWriter* w) {
  w->Open('{');
  RunSummaryHeadMembers(r, WriterMember{w});
  w->Key("results");
  w->Open('[');
  for (const ResourceResult& res : r.results) {
    w->Element();
    WriteResourceResultJson(res, w);
  }
  w->Close(']');
  w->Close('}');
}

namespace {

void WriteRecord(std::string_view id, const Record& rec, JsonStreamWriter* w) {
  w->Open('{');
  w->Member("kind", IdKind(id));
  w->Member("name", IdName(id));
  w->Key("record");
  w->Open('{');
  for (const auto& [field, value] : rec) w->Member(field, value);
  w->Close('}');
  w->Close('}');
}

// A boot run is usually also the last run: then it is written once, and
// "last_boot_run_is_last_run" says so (additive: a reader that does not know
// it sees no last_boot_run, which `status` then takes from last_run anyway).
void WriteRunSummaries(const State& s, JsonStreamWriter* w) {
  if (s.last_run) {
    w->Key("last_run");
    WriteRunSummaryJson(*s.last_run, w);
  }
  if (s.last_run && (s.boot_run_is_last_run ||
                     (s.last_boot_run && *s.last_boot_run == *s.last_run))) {
    w->Member("last_boot_run_is_last_run", true);
  } else if (s.last_boot_run) {
    w->Key("last_boot_run");
    WriteRunSummaryJson(*s.last_boot_run, w);
  }
}

// The boot overlay (kBootStatePath): the boot-scoped part of `s` on top of
// state.json of generation s.generation. Without its final newline.
void WriteBootOverlayDocument(const State& s, JsonStreamWriter& w) {
  w.Open('{');
  w.Member("format_version", int64_t{s.format_version});
  w.Member("base_generation", int64_t{s.generation});
  w.Member("boot_id", s.boot_id);
  w.Key("resources");
  w.Open('{');
  for (const std::string& id : s.boot_record_ids) {  // sorted, unique
    auto record = s.records.Get(id);
    if (!record) continue;
    w.Key(id);
    WriteRecord(id, *record, &w);
  }
  w.Close('}');
  WriteRunSummaries(s, &w);
  w.Close('}');
}

// The document `write` writes, and a newline, handed to `sink` in pieces of
// about 64 KiB; stops at the sink's first error and returns it.
Status StreamDocument(const std::function<void(JsonStreamWriter&)>& write,
                      const System::ContentSink& sink) {
  constexpr size_t kPiece = 64 * 1024;
  std::string buffer;
  buffer.reserve(kPiece + kPiece / 4);
  Status status;
  JsonStreamWriter w(&buffer, 1);
  w.SpillAt(kPiece, [&](std::string_view piece) {
    if (status.ok()) status = sink(piece);
  });
  write(w);
  buffer.push_back('\n');
  if (status.ok()) status = sink(buffer);
  return status;
}

// The state.json document, without its final newline.
void WriteStateDocument(const State& s, JsonStreamWriter& w) {
  w.Open('{');
  w.Member("format_version", int64_t{s.format_version});
  w.Member("generation", int64_t{s.generation});
  w.Member("instance_id", s.instance_id);
  w.Member("input_sha256", s.input_sha256);
  w.Member("converged_sha256", s.converged_sha256);
  w.Member("every_boot_input", s.every_boot_input);
  w.Member("boot_id", s.boot_id);
  w.Key("resources");
  w.Open('{');
  s.records.ForEach([&w](std::string_view id, const Record& record) {
    w.Key(id);  // sorted by id
    WriteRecord(id, record, &w);
  });
  w.Close('}');
  WriteRunSummaries(s, &w);
  w.Close('}');
}

}  // namespace

std::string SerializeState(const State& s) {
  // The sink never fails: neither does Collect.
  return *System::Collect([&s](const System::ContentSink& sink) {
    return WriteStateText(s, sink);
  });
}

Status WriteStateText(const State& s, const System::ContentSink& sink) {
  return StreamDocument([&s](JsonStreamWriter& w) { WriteStateDocument(s, w); },
                        sink);
}

Status WriteBootOverlayText(const State& s, const System::ContentSink& sink) {
  return StreamDocument(
      [&s](JsonStreamWriter& w) { WriteBootOverlayDocument(s, w); }, sink);
}

namespace {

// A state document or a boot overlay as written, each member present or
// not (the callers apply the defaults).
struct Document {
  std::optional<int64_t> format_version, generation, base_generation;
  std::optional<std::string> instance_id, input_sha256, converged_sha256,
      boot_id;
  std::optional<bool> every_boot_input, last_boot_run_is_last_run;
  RecordTable records;
  std::optional<RunSummary> last_run, last_boot_run;
};

// A JsonReadError about the value at byte `offset`, worded as the
// reader's own ("offset 41: ...").
[[noreturn]] void FailAt(size_t offset, const std::string& what) {
  throw JsonReadError("offset " + std::to_string(offset) + ": " + what);
}

// Kind and name are kept beside the id in the file (for readers of it);
// in memory they are the id's. Throws JsonReadError, at the object that
// holds them (`offset`), when they differ.
void CheckKindAndName(size_t offset, std::string_view id,
                      const std::string& kind, const std::string& name) {
  if (kind != IdKind(id) || name != IdName(id)) {
    FailAt(offset, "\"" + std::string(id) +
                       "\": kind and name are not those of the id");
  }
}

ResourceResult ReadResult(JsonReader& in) {
  const size_t at = in.Offset();
  ResourceResult r;
  bool id = false, action = false, outcome = false;
  std::optional<std::string> kind, name;
  in.Object([&](const std::string& key) {
    if (key == "id") {
      r.id = in.String(), id = true;
    } else if (key == "kind") {
      kind = in.String();
    } else if (key == "name") {
      name = in.String();
    } else if (key == "action") {
      r.action = ActionFromName(in.String()), action = true;
    } else if (key == "outcome") {
      r.outcome = OutcomeFromName(in.String()), outcome = true;
    } else if (key == "message") {
      r.message = in.String();
    } else {
      in.Skip();
    }
  });
  if (!id || !kind || !name || !action || !outcome) {
    FailAt(at, "a result without id, kind, name, action or outcome");
  }
  CheckKindAndName(at, r.id, *kind, *name);
  return r;
}

RunSummary ReadRunSummary(JsonReader& in) {
  const size_t at = in.Offset();
  RunSummary r;
  r.ok = false;
  bool results = false;
  in.Object([&](const std::string& key) {
    if (key == "time") {
      r.time = in.Int();
    } else if (key == "command") {
      r.command = in.String();
    } else if (key == "boot_id") {
      r.boot_id = in.String();
    } else if (key == "instance_id") {
      r.instance_id = in.String();
    } else if (key == "datasource") {
      r.datasource = in.String();
    } else if (key == "ok") {
      r.ok = in.Bool();
    } else if (key == "fast_path") {
      r.fast_path = in.Bool();
    } else if (key == "results") {
      results = true;
      r.results.clear();
      in.Array([&] { r.results.push_back(ReadResult(in)); });
    } else {
      in.Skip();
    }
  });
  if (!results) FailAt(at, "a run summary without results");
  return r;
}

Record ReadRecord(std::string_view id, JsonReader& in) {
  const size_t at = in.Offset();
  Record r;
  bool record = false;
  std::optional<std::string> kind, name;
  in.Object([&](const std::string& key) {
    if (key == "kind") {
      kind = in.String();
    } else if (key == "name") {
      name = in.String();
    } else if (key == "record") {
      record = true;
      r.clear();
      in.Object([&](const std::string& field) { r[field] = in.String(); });
    } else {
      in.Skip();
    }
  });
  if (!kind || !name || !record) {
    FailAt(at, "a resource without kind, name or record");
  }
  CheckKindAndName(at, id, *kind, *name);
  return r;
}

// Throws JsonReadError (or runtime_error for an unknown action or outcome).
// `release`, when given, holds `text` and is told what has been read.
Document ReadDocument(std::string_view text, StateParts parts,
                      FileText* release = nullptr) {
  const bool last_run = parts == StateParts::kAll;
  const bool boot_run = last_run || parts == StateParts::kLastBootRun;
  const bool records =
      parts != StateParts::kHeader && parts != StateParts::kLastBootRun;
  // Where last_run is when only the boot run is wanted: it is read after
  // all if the file says it is the boot run too (a flag written after it).
  std::optional<size_t> last_run_at;
  JsonReader in(text);
  if (release != nullptr) {
    in.set_progress([release](size_t at) { release->Release(at); });
  }
  Document d;
  if (in.Next() != '{') throw JsonReadError("not a JSON object");
  in.Object([&](const std::string& key) {
    if (key == "format_version") {
      d.format_version = in.Int();
    } else if (key == "generation") {
      d.generation = in.Int();
    } else if (key == "base_generation") {
      d.base_generation = in.Int();
    } else if (key == "instance_id") {
      d.instance_id = in.String();
    } else if (key == "input_sha256") {
      d.input_sha256 = in.String();
    } else if (key == "converged_sha256") {
      d.converged_sha256 = in.String();
    } else if (key == "every_boot_input") {
      d.every_boot_input = in.Bool();
    } else if (key == "boot_id") {
      d.boot_id = in.String();
    } else if (key == "resources" && records) {
      d.records.clear();
      in.Object([&](const std::string& id) {
        d.records.Set(id, ReadRecord(id, in));
      });
    } else if (key == "last_run" && last_run) {
      d.last_run = ReadRunSummary(in);
    } else if (key == "last_run" && boot_run) {
      last_run_at = in.Offset();
      in.Skip();
    } else if (key == "last_boot_run" && boot_run) {
      d.last_boot_run = ReadRunSummary(in);
    } else if (key == "last_boot_run_is_last_run") {
      d.last_boot_run_is_last_run = in.Bool();
    } else {
      in.Skip();
    }
  });
  in.End();
  if (d.last_boot_run_is_last_run.value_or(false)) {
    if (d.last_run) {
      d.last_boot_run = d.last_run;
    } else if (last_run_at) {
      JsonReader again(text, *last_run_at);
      d.last_boot_run = ReadRunSummary(again);
    }
  }
  return d;
}

// Applies the boot overlay in `text` to `s` when it extends s->generation.
// Anything wrong with it (torn by a power cut, stale, another version):
// false, and `s` is unchanged: the overlay is parsed whole first, then
// moved in (the state's own records are never copied).
bool ApplyBootOverlay(FileText* text, StateParts parts, State* s) {
  Document overlay;
  try {
    overlay = ReadDocument(text->view(), parts, text);
  } catch (const std::exception&) {
    return false;
  }
  if (overlay.format_version.value_or(0) != kStateFormatVersion ||
      overlay.base_generation.value_or(-1) != s->generation) {
    return false;
  }
  if (overlay.boot_id) s->boot_id = std::move(*overlay.boot_id);
  overlay.records.ForEach([s](std::string_view id, const Record& record) {
    s->records.Set(id, record);
    s->boot_record_ids.emplace(id);
  });
  if (overlay.last_run) s->last_run = std::move(overlay.last_run);
  if (overlay.last_boot_run)
    s->last_boot_run = std::move(overlay.last_boot_run);
  return true;
}

Result<State> ParseStateText(std::string_view text, StateParts parts,
                             FileText* release) {
  try {
    Document d = ReadDocument(text, parts, release);
    if (!d.format_version) return Status::Error("no format_version");
    State s;
    if (*d.format_version > kStateFormatVersion || *d.format_version < 1) {
      return Status::Error("format_version " +
                           std::to_string(*d.format_version) +
                           " is not supported by this flamingo (" +
                           std::to_string(kStateFormatVersion) + ")");
    }
    s.format_version = static_cast<int>(*d.format_version);
    s.generation = d.generation.value_or(0);
    s.instance_id = std::move(d.instance_id).value_or("");
    s.input_sha256 = std::move(d.input_sha256).value_or("");
    s.converged_sha256 = std::move(d.converged_sha256).value_or("");
    s.every_boot_input = d.every_boot_input.value_or(true);
    s.boot_id = std::move(d.boot_id).value_or("");
    s.records = std::move(d.records);
    s.last_run = std::move(d.last_run);
    s.last_boot_run = std::move(d.last_boot_run);
    return s;
  } catch (const std::exception& e) {
    return Status::Error(e.what());
  }
}

}  // namespace

Result<State> ParseState(std::string_view text, StateParts parts) {
  return ParseStateText(text, parts, nullptr);
}

Result<std::optional<State>> LoadState(const SystemReader& sys,
                                       StateFiles* files, StateParts parts) {
  StateFiles seen;
  auto st = sys.Stat(kStatePath);
  if (!st.ok()) return st.status().WithContext(kStatePath);
  seen.state = *st;
  if (files != nullptr) *files = seen;
  if (!st->has_value()) return std::optional<State>();
  Result<State> state = Status::Error("unread");
  {  // the text goes before the overlay's is read
    auto text = sys.ReadFileText(kStatePath);
    if (!text.ok()) return text.status().WithContext(kStatePath);
    state = ParseStateText(text->view(), parts, &*text);
  }
  if (!state.ok()) {
    return state.status().WithContext(std::string(kStatePath) + ": corrupt");
  }
  auto boot = sys.Stat(kBootStatePath);
  if (boot.ok() && boot->has_value()) {
    seen.boot = *boot;
    // Read as the state is: it holds the run summaries too.
    auto overlay = sys.ReadFileText(kBootStatePath);
    if (overlay.ok()) ApplyBootOverlay(&*overlay, parts, &*state);
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
        .WriteFileVolatileFrom(kBootStatePath, FileAttrs{0600, 0, 0},
                               [&state](const System::ContentSink& sink) {
                                 return WriteBootOverlayText(state, sink);
                               })
        .WithContext("save boot state");
  }
  Status st = MakeDirs(sys, kStateDir, FileAttrs{0700, 0, 0});
  if (!st.ok()) return st.WithContext("save state");
  ++state.generation;
  // Written as it is serialized: at 10,000 resources the text is
  // megabytes, never whole in memory.
  st = sys.WriteFileFrom(kStatePath, FileAttrs{0600, 0, 0},
                         [&state](const System::ContentSink& sink) {
                           return WriteStateText(state, sink);
                         });
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
