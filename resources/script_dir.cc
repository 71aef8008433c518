#include "resources/script_dir.h"

#include <memory>
#include <vector>

#include "engine/text.h"

namespace flamingo {
namespace {

struct DirEntry {
  std::string name;    // file name in the directory
  std::string digest;  // ContentDigest of its content
  bool interrupted = false;
};
using DirEntries = std::vector<DirEntry>;

// The reason without its leading "<frequency>: ".
std::string StripFrequency(const std::string& reason, Frequency f) {
  std::string prefix = std::string(FrequencyName(f)) + ": ";
  return reason.rfind(prefix, 0) == 0 ? reason.substr(prefix.size()) : reason;
}

// Where a script's history lives in the record: "NAME/". A file name that
// is not UTF-8 could not be kept exactly in the state file (JSON text:
// such bytes become U+FFFD, and the name would match nothing on reload, so
// a per-once script would run at every boot); it is keyed by its bytes in
// hex instead: "hex:6162ff/".
std::string HistoryPrefix(const std::string& name) {
  if (IsValidUtf8(name)) return name + "/";
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "hex:";
  for (unsigned char c : name) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out + "/";
}

}  // namespace

Result<Observation> ScriptDirResource::Observe(
    const SystemReader& sys, const ResourceContext& ctx) const {
  Observation obs;
  auto entries = std::make_shared<DirEntries>();
  obs.detail = entries;
  auto info = sys.Stat(dir_);
  if (!info.ok()) return info.status();
  if (!info->has_value() || (*info)->type != FileType::kDirectory) {
    return obs;
  }
  obs.exists = true;
  auto names = sys.ListDir(dir_);
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    std::string path = dir_ + "/" + name;
    auto st = sys.Stat(path);
    if (!st.ok()) return st.status();
    if (!st->has_value()) continue;
    std::string target = path;
    if ((*st)->type == FileType::kSymlink) {
      auto link = sys.ReadLink(path);
      if (!link.ok()) return link.status();
      target = NormalizePath(
          !link->empty() && (*link)[0] == '/' ? *link : dir_ + "/" + *link);
      st = sys.Stat(target);
      if (!st.ok()) return st.status();
      if (!st->has_value()) continue;  // dangling
    }
    if ((*st)->type != FileType::kRegular || ((*st)->mode & 0111) == 0) {
      continue;  // not executable: ignored, as by run-parts
    }
    auto content = sys.ReadFile(target);
    if (!content.ok()) return content.status();
    auto marker = sys.Stat(MarkerPath(path));
    if (!marker.ok()) return marker.status().WithContext("marker");
    entries->push_back({name, ContentDigest(*content), marker->has_value()});
  }
  if (!entries->empty() && !ctx.run().reconcile &&
      (ctx.run().boot || ctx.run().rerun_scripts)) {
    if (freq_ == Frequency::kPerInstance && ctx.run().instance_id.empty()) {
      return Status::Error(
          "no instance-id: cannot tell whether the "
          "per-instance scripts already ran");
    }
    if (freq_ == Frequency::kPerBoot && ctx.run().boot &&
        ctx.run().boot_id.empty()) {
      return Status::Error(
          "no boot id: cannot tell whether the per-boot "
          "scripts already ran in this boot");
    }
  }
  return obs;
}

Change ScriptDirResource::Diff(const Observation& observed,
                               const ResourceContext& ctx) const {
  Change c = MakeChange(Action::kNone);
  warnings_.clear();
  auto entries = std::static_pointer_cast<const DirEntries>(observed.detail);
  if (!entries || entries->empty()) return c;
  std::string run_list;
  std::string notes;
  for (const DirEntry& e : *entries) {
    RunDecision d =
        DecideRun(freq_, ReadHistory(ctx.record(), HistoryPrefix(e.name)),
                  e.interrupted, ran_.count(e.name) > 0, e.digest, ctx.run());
    std::string why = StripFrequency(d.reason, freq_);
    if (!d.warning.empty()) {
      warnings_.push_back(e.name + ": " + StripFrequency(d.warning, freq_));
    }
    if (d.run) {
      c.fields.push_back({e.name, std::nullopt, "run: " + why, false});
      run_list += (run_list.empty() ? "" : "; ") + e.name + " (" + why + ")";
    } else {
      notes += (notes.empty() ? "" : "; ") + e.name + ": " + why;
    }
  }
  const std::string f = FrequencyName(freq_);
  if (!c.fields.empty()) {
    c.action = Action::kRun;
    c.reason = f + ": " + run_list;
  } else {
    c.reason = f + ": " + notes;
  }
  return c;
}

Status ScriptDirResource::Apply(System& sys, const Change& change,
                                const ResourceContext& ctx,
                                Record* record) const {
  if (change.action != Action::kRun) return Status::Ok();
  std::string failures;
  int failed = 0;
  int ran = 0;
  for (const FieldChange& fc : change.fields) {
    const std::string path = dir_ + "/" + fc.name;
    // The digest of what runs now (the content may differ from the plan's).
    auto content = sys.ReadFile(path);
    ScriptJob job;
    job.label = Id() + " " + fc.name;
    job.marker = MarkerPath(path);
    job.argv = {path};
    job.freq = freq_;
    job.digest = content.ok() ? ContentDigest(*content) : "";
    job.timeout_seconds = timeout_seconds_;
    ran_.insert(fc.name);
    ++ran;
    Status st =
        RunScriptJob(sys, job, ctx.run(), record, HistoryPrefix(fc.name));
    if (!st.ok()) {
      ++failed;
      failures += "\n  " + fc.name + ": " + st.message();
    }
  }
  if (failed == 0) return Status::Ok();
  return Status::Error(std::to_string(failed) + " of " + std::to_string(ran) +
                       " scripts failed:" + failures);
}

}  // namespace flamingo
