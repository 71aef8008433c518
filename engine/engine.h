// The planner and the applier: generic over resources.
//
// MakePlan observes every resource through a read-only SystemReader and asks
// it for a Change: the result is data. ApplyPlan executes a Plan: before each
// change it re-observes (the machine may have moved since the plan), applies,
// then re-observes and diffs again: anything but "no change" is an error
// (NotConverged), never a silent success. A resource the plan found
// converged is observed again only once something was applied in the run
// (an earlier change can undo it); before that the plan's observation
// stands, so a plan is applied as soon as it is made. A resource whose
// dependency failed or was skipped is skipped and reported. Write batches
// (resource.h) are committed before every resource outside them and at the end
// of ApplyPlan; a failed commit fails the batch's members that changed since
// the last one.
#pragma once

#include <array>
#include <functional>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/change.h"
#include "engine/graph.h"
#include "engine/logger.h"
#include "engine/record_table.h"
#include "engine/resource.h"

namespace flamingo {

struct PlanItem {
  const Resource* resource = nullptr;  // owned by the Graph or the Plan
  long graph_index = -1;               // -1 for orphans
  Change change;                       // kNone when converged
  Status error;                        // Observe failed (a planning error)
};

// An item of a plan without details (PlanOptions::details false): what
// ApplyPlan needs, 24 bytes where a PlanItem is 120.
struct PlanStep {
  const Resource* resource = nullptr;  // owned by the Graph or the Plan
  int32_t graph_index = -1;            // -1 for orphans (a Graph's index
                                       // fits: its tables use 32 bits)
  Action action = Action::kNone;
  Status error;  // Observe failed, with the id ("file[/x]: ...")
};

struct Plan {
  // Filled by Add. In apply order, converged ones too.
  std::vector<PlanItem> items;
  std::vector<PlanStep> steps;        // the same, without details
  std::vector<std::string> warnings;  // from resources, "id: message"
  std::vector<std::string> notes;     // "id: note": orphans left alone,
                                      // observation notes
  std::vector<std::string> forget;    // record ids to drop after apply
  std::vector<std::unique_ptr<Resource>> orphans;  // deleters we own
  // Every item added, counted (for HasErrors, Count and HasChanges),
  // whether it was kept whole, as a step or not at all.
  struct Tally {
    std::array<size_t, 5> actions{};  // by Action, items without error
    size_t errors = 0;
    size_t changes = 0;  // action other than kNone
  } tally;

  // How an added item is kept: whole in `items`, as a step in `steps`, or
  // only counted.
  enum class Keep { kItem, kStep, kCountOnly };
  // Counts `item`, then keeps it as `keep` says.
  void Add(PlanItem item, Keep keep);

  bool HasErrors() const { return tally.errors > 0; }
  // Count of items with this action (and no error).
  size_t Count(Action a) const { return tally.actions[static_cast<size_t>(a)]; }
  bool HasChanges() const { return tally.changes > 0; }
};

struct PlanOptions {
  // Only resources with EveryBoot() (the reboot fast path); no orphans.
  bool every_boot_only = false;
  // Only resources whose Stage() lies in [first_stage, last_stage]: a boot
  // applied in phases (declarative work and bootcmd early, the late
  // scripts once the network is online).
  int first_stage = std::numeric_limits<int>::min();
  int last_stage = std::numeric_limits<int>::max();
  // Plan deletions of recorded resources no longer configured (and forget
  // records nothing deletes). Off for a phase that owns no declarative work.
  bool orphans = true;
  // Keep each change whole, in Plan::items (for showing it). False: each
  // item is a PlanStep in Plan::steps instead, its action and error only
  // (all ApplyPlan needs: it diffs again before it applies); the fields
  // and strings are dropped as soon as they are computed. Apply at 10,000
  // files: ~0.8 KB less per resource at the run's peak.
  bool details = true;
  // Called with each item as soon as it is planned, in plan order (orphans
  // last), before the next one is: a caller can show it, then drop its
  // details (the action and error stay for Count, HasChanges, HasErrors).
  // The plan of 10,000 new files need not hold 10,000 field diffs.
  std::function<void(PlanItem&)> planned;
  // False: an item is dropped once `planned` has seen it, and only counted
  // (Plan::tally): for a caller that shows each item as it comes (the
  // 10,000 items of `flamingo plan` were 2 MB). REQUIRES `planned`.
  bool keep_items = true;
};

// REQUIRES: graph.Build() succeeded. `orphans` may be null (no deletes).
Plan MakePlan(const Graph& graph, const SystemReader& sys, const RunInfo& run,
              const RecordTable& records, const OrphanFactory* orphans,
              const PlanOptions& options = {});

enum class Outcome { kUnchanged, kChanged, kFailed, kSkipped };
const char* OutcomeName(Outcome o);

struct ResourceResult {
  std::string id;
  std::string_view kind() const { return IdKind(id); }
  std::string_view name() const { return IdName(id); }
  Action action = Action::kNone;
  Outcome outcome = Outcome::kUnchanged;
  std::string message;  // failure or skip reason
  bool operator==(const ResourceResult&) const = default;
};

struct ApplyReport {
  std::vector<ResourceResult> results;  // one per plan item, in order
  // Ids whose record the run may have changed (Apply ran, or the record was
  // dropped), and whether any of them must outlive the boot
  // (Resource::RecordOutlivesBoot, orphans, dropped records): then the
  // state has to be saved durably.
  // (Kept as one bit per result and the forgotten ids, not a set of ids:
  // a first apply of 10,000 files changes all of them, and a durable save,
  // which that is, never asks.)
  std::set<std::string> ChangedRecords() const;
  std::vector<bool> record_changed;    // parallel to results
  std::vector<std::string> forgotten;  // records dropped (plan.forget)
  bool durable_records_changed = false;
  bool ok() const;
  size_t Count(Outcome o) const;
};

// Executes `plan` (its items, or its steps when it has no items; it must
// have no errors) and updates `records`:
// created objects are marked created, deleted ones and plan.forget dropped.
// Ends with sys.Sync(): when that fails, every changed resource is reported
// failed ("applied but not made durable"), so the run is not recorded as
// converged.
ApplyReport ApplyPlan(const Graph& graph, const Plan& plan, System& sys,
                      const RunInfo& run, RecordTable* records, Logger* log);

// ApplyPlan, and each resource is released from `graph` (Graph::Release)
// as soon as its result is reported (a write batch's commit fails its
// members from what the engine kept of them, not from the resources), or,
// a changed member of a batch that does not outlive its members
// (WriteBatch::OutlivesMembers), once the batch is committed. For
// a caller that drops the graph after the apply: at 10,000 files the
// resources (3.3 MB) go while the records and results they leave grow.
// Afterwards only `graph`'s ids, edges and lookups are left; `plan` points
// at freed resources.
ApplyReport ApplyPlanReleasing(Graph* graph, const Plan& plan, System& sys,
                               const RunInfo& run, RecordTable* records,
                               Logger* log);

}  // namespace flamingo
