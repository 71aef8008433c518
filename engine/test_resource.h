// A tiny resource kind for engine tests only: "marker[NAME]" keeps the file
// /markers/NAME with the desired content. Knobs make it fail or misbehave
// so the engine's handling of each case can be tested without real kinds.
#pragma once

#include <string>
#include <vector>

#include "engine/resource.h"

namespace flamingo::testing {

// The file at `path` as an Observation: exists, fields["content"].
inline Result<Observation> ObserveFile(const SystemReader& sys,
                                       const std::string& path) {
  Observation o;
  auto st = sys.Stat(path);
  if (!st.ok()) return st.status();
  if (!st->has_value()) return o;
  auto text = sys.ReadFile(path);
  if (!text.ok()) return text.status();
  o.exists = true;
  o.fields["content"] = *text;
  return o;
}

class MarkerResource : public Resource {
 public:
  MarkerResource(std::string name, std::string content)
      : name_(std::move(name)), content_(std::move(content)) {}

  std::vector<std::string> requires_keys;
  std::vector<std::string> provides_keys;
  std::vector<std::string> after_ids;
  int stage = kStageDefault;
  bool every_boot = false;
  bool record_outlives_boot = true;
  bool fail_apply = false;          // Apply returns an error
  bool apply_does_nothing = false;  // Apply "succeeds" without effect
  bool fail_observe = false;
  std::string note;              // an Observation note
  mutable int observations = 0;  // Observe calls

  std::string Kind() const override { return "marker"; }
  std::string Name() const override { return name_; }
  std::vector<std::string> Provides() const override { return provides_keys; }
  std::vector<std::string> Requires() const override { return requires_keys; }
  std::vector<std::string> After() const override { return after_ids; }
  int Stage() const override { return stage; }
  bool EveryBoot() const override { return every_boot; }
  bool RecordOutlivesBoot() const override { return record_outlives_boot; }

  std::string Path() const { return "/markers/" + name_; }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext&) const override {
    ++observations;
    if (fail_observe) return Status::Error("cannot observe");
    auto o = ObserveFile(sys, Path());
    if (o.ok() && !note.empty()) o->notes.push_back(note);
    return o;
  }

  Change Diff(const Observation& o, const ResourceContext&) const override {
    if (o.exists && o.fields.at("content") == content_) {
      return MakeChange(Action::kNone);
    }
    Change c = MakeChange(o.exists ? Action::kUpdate : Action::kCreate);
    FieldChange f;
    f.name = "content";
    if (o.exists) f.before = o.fields.at("content");
    f.after = content_;
    c.fields.push_back(f);
    return c;
  }

  Status Apply(System& sys, const Change&, const ResourceContext&,
               Record* record) const override {
    if (fail_apply) return Status::Error("apply failed on purpose");
    if (apply_does_nothing) return Status::Ok();
    Status st = MakeDirs(sys, "/markers", FileAttrs{0755, 0, 0});
    if (!st.ok()) return st;
    (*record)["content_len"] = std::to_string(content_.size());
    return sys.WriteFile(Path(), content_, FileAttrs{0644, 0, 0});
  }

 private:
  std::string name_;
  std::string content_;
};

// Deletes /markers/NAME (the orphan of a marker).
class MarkerDeleter : public Resource {
 public:
  explicit MarkerDeleter(std::string name) : name_(std::move(name)) {}
  std::string Kind() const override { return "marker"; }
  std::string Name() const override { return name_; }
  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext&) const override {
    Observation o;
    auto st = sys.Stat("/markers/" + name_);
    if (!st.ok()) return st.status();
    o.exists = st->has_value();
    return o;
  }
  Change Diff(const Observation& o, const ResourceContext&) const override {
    return MakeChange(o.exists ? Action::kDelete : Action::kNone);
  }
  Status Apply(System& sys, const Change&, const ResourceContext&,
               Record*) const override {
    return sys.Remove("/markers/" + name_);
  }

 private:
  std::string name_;
};

class MarkerOrphans : public OrphanFactory {
 public:
  std::unique_ptr<Resource> MakeOrphan(const std::string& kind,
                                       const std::string& name,
                                       const Record&) const override {
    if (kind != "marker") return nullptr;
    return std::make_unique<MarkerDeleter>(name);
  }
};

}  // namespace flamingo::testing
