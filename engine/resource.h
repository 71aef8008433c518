// Resource: one piece of desired state (a file, a user, a script run, ...).
// The engine drives every resource through the same three steps and knows
// nothing else about it (it never names a kind):
//
//   Observe (read-only SystemReader)  ->  Diff (pure)  ->  Apply (System)
//
// Kinds live in resources/; a kind's compiler turns its config section into
// Resource objects (resources/kinds.cc is the one table of kinds).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/change.h"
#include "engine/record.h"
#include "engine/status.h"
#include "engine/system.h"

namespace flamingo {

// Facts about this run that resources may depend on.
struct RunInfo {
  std::string instance_id;
  std::string boot_id;
  bool boot = false;           // apply --boot: per-boot and per-instance work
  bool reconcile = false;      // apply --reconcile: declarative only
  bool rerun_scripts = false;  // apply --rerun-scripts
  std::string datasource;      // where the input came from ("nocloud")
};

// Coarse ordering among resources with no edge between them (lower first):
// identity before anything that could fail for unrelated reasons.
enum Stage : int {
  kStageEarly = 0,      // bootcmd
  kStageIdentity = 10,  // groups, users, keys, sudo; sshd policy just after
  kStageDefault = 50,   // files, hostname, services, firewall
  kStageDeferred = 70,  // write_files with defer: true
  kStageLate = 90,      // runcmd and user scripts
};

class Graph;

// Writes several resources of one run make to shared files, gathered and
// written once (every user and group edits the same four account files:
// writing them per resource would cost O(N) writes of O(N) bytes). The
// members of a batch defer their writes into it, and Observe of every member
// reads the pending state, i.e. the true next content of the files, so the
// engine's re-observation after Apply stays honest.
//
// The engine commits a batch before it runs any resource that is not a
// member (whose Observe or Apply could read the files, run a command or touch
// a service) and at the end of ApplyPlan (before the state is saved). A
// failed commit is reported on every member changed since the previous one.
class WriteBatch {
 public:
  virtual ~WriteBatch() = default;
  // Called before each member's Apply (e.g. to turn System staging on).
  virtual void Begin(System& /*sys*/) {}
  // Writes what is pending (nothing pending: Ok, no writes). On error the
  // pending changes are dropped: the members re-read the files as they are.
  virtual Status Commit(System& sys) = 0;
  // Whether the batch stays valid when its members are destroyed (it keeps
  // its pending writes itself, or in the System): then ApplyPlanReleasing
  // releases a member that waits for the commit at once, instead of after
  // the commit. False for a batch its members own.
  virtual bool OutlivesMembers() const { return false; }
};

// Handed to Observe, Diff and Apply.
class ResourceContext {
 public:
  ResourceContext(const RunInfo& run, const Record* record, const Graph* graph)
      : run_(run), record_(record), graph_(graph) {}
  const RunInfo& run() const { return run_; }
  // This resource's record from the previous run(s), or null.
  const Record* record() const { return record_; }
  // True when some resource in the graph provides `key` (e.g. "user:alice"),
  // i.e. it will exist after apply even if it does not exist yet.
  bool IsProvided(const std::string& key) const;

 private:
  const RunInfo& run_;
  const Record* record_;
  const Graph* graph_;
};

// The observed state, as fields the kind defines. `detail` carries anything
// else the kind needs from Observe to Diff/Apply.
struct Observation {
  bool exists = false;
  std::map<std::string, std::string> fields;
  std::shared_ptr<const void> detail;
  // What the plan should say even when nothing changes: a difference the
  // resource deliberately leaves alone ("uid is 1001, not the configured
  // 1500: an existing user is not renumbered"). Shown as "id: note".
  std::vector<std::string> notes;
};

class Resource {
 public:
  virtual ~Resource() = default;

  virtual std::string Kind() const = 0;  // "file"
  virtual std::string Name() const = 0;  // "/etc/motd"
  // "kind[name]", unique in a graph.
  std::string Id() const { return Kind() + "[" + Name() + "]"; }

  // Automatic edges: a resource that Requires key K comes after every
  // resource that Provides K ("path:/etc", "user:alice", "group:wheel").
  virtual std::vector<std::string> Provides() const { return {}; }
  virtual std::vector<std::string> Requires() const { return {}; }
  // Explicit edges: ids that must come before this resource.
  virtual std::vector<std::string> After() const { return {}; }
  virtual int Stage() const { return kStageDefault; }
  // Evaluated on every boot even on the reboot fast path (bootcmd).
  virtual bool EveryBoot() const { return false; }
  // Whether this resource's record must outlive the boot it was written in
  // (default). False when the record only describes the current boot (a
  // per-boot script's "ran in boot X"): a crash ends the boot and makes it
  // moot, so a run that changed only such records need not wait for the
  // disk to save them (ApplyReport::durable_records_changed).
  virtual bool RecordOutlivesBoot() const { return true; }
  // Where it was declared ("user-data:12:3"), for messages; may be "".
  virtual std::string Origin() const { return ""; }
  // Warnings for the plan ("no user can log in"). Default none.
  virtual std::vector<std::string> Warnings() const { return {}; }
  // The batch this resource defers writes into (and whose pending state its
  // Observe reads), or null (default): the engine then commits every batch
  // with pending writes before running it. Several resources share one.
  virtual WriteBatch* Batch() const { return nullptr; }

  // Reads the current state. Errors here are planning errors: nothing is
  // applied (an unknown owner, an unreadable file).
  virtual Result<Observation> Observe(const SystemReader& sys,
                                      const ResourceContext& ctx) const = 0;
  // Pure: the change from `observed` to the desired state; Action::kNone when
  // converged. Must fill id (use MakeChange).
  virtual Change Diff(const Observation& observed,
                      const ResourceContext& ctx) const = 0;
  // Carries out `change`. May update `record` (persisted even on failure).
  virtual Status Apply(System& sys, const Change& change,
                       const ResourceContext& ctx, Record* record) const = 0;

 protected:
  Change MakeChange(Action action) const {
    Change c;
    c.id = Id();
    c.action = action;
    return c;
  }
};

// Builds resources for orphans: objects recorded in the state whose
// resource is no longer in the config. Implemented by the kinds table;
// returns null when the kind never deletes (or cannot).
class OrphanFactory {
 public:
  virtual ~OrphanFactory() = default;
  virtual std::unique_ptr<Resource> MakeOrphan(const std::string& kind,
                                               const std::string& name,
                                               const Record& record) const = 0;
};

}  // namespace flamingo
