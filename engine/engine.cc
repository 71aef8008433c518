#include "engine/engine.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <unordered_set>
#include <utility>

#include "engine/memory.h"

namespace flamingo {

static_assert(static_cast<size_t>(Action::kRun) + 1 ==
                  std::tuple_size_v<decltype(Plan::Tally::actions)>,
              "Plan::Tally counts every Action");

void Plan::Add(PlanItem item, Keep keep) {
  if (!item.error.ok()) {
    ++tally.errors;
  } else {
    ++tally.actions[static_cast<size_t>(item.change.action)];
  }
  if (item.change.action != Action::kNone) ++tally.changes;
  switch (keep) {
    case Keep::kItem:
      items.push_back(std::move(item));
      break;
    case Keep::kStep:
      steps.push_back(PlanStep{item.resource,
                               static_cast<int32_t>(item.graph_index),
                               item.change.action, std::move(item.error)});
      break;
    case Keep::kCountOnly:
      break;
  }
}

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kUnchanged:
      return "unchanged";
    case Outcome::kChanged:
      return "changed";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kSkipped:
      return "skipped";
  }
  return "?";
}

bool ApplyReport::ok() const {
  return Count(Outcome::kFailed) == 0 && Count(Outcome::kSkipped) == 0;
}

std::set<std::string> ApplyReport::ChangedRecords() const {
  std::set<std::string> ids(forgotten.begin(), forgotten.end());
  for (size_t i = 0; i < results.size() && i < record_changed.size(); ++i) {
    if (record_changed[i]) ids.insert(results[i].id);
  }
  return ids;
}

size_t ApplyReport::Count(Outcome o) const {
  return static_cast<size_t>(
      std::count_if(results.begin(), results.end(),
                    [o](const ResourceResult& r) { return r.outcome == o; }));
}

namespace {

PlanItem PlanOne(const Resource& r, long index, const Graph* graph,
                 const SystemReader& sys, const RunInfo& run,
                 const RecordTable& records, bool details,
                 std::vector<std::string>* notes) {
  PlanItem item;
  item.resource = &r;
  item.graph_index = index;
  std::string id = r.Id();
  const std::optional<Record> record = records.Get(id);
  ResourceContext ctx(run, record ? &*record : nullptr, graph);
  auto observed = r.Observe(sys, ctx);
  if (!observed.ok()) {
    item.error = observed.status().WithContext(id);
    item.change.id = id;
    return item;
  }
  if (details) {
    item.change = r.Diff(*observed, ctx);
  } else {
    item.change.action = r.Diff(*observed, ctx).action;
  }
  for (const auto& n : observed->notes) notes->push_back(id + ": " + n);
  return item;
}

}  // namespace

Plan MakePlan(const Graph& graph, const SystemReader& sys, const RunInfo& run,
              const RecordTable& records, const OrphanFactory* orphans,
              const PlanOptions& options) {
  Plan plan;
  // Every resource is planned but on the reboot fast path (a few).
  if (!options.every_boot_only && options.keep_items) {
    if (options.details) {
      plan.items.reserve(graph.size());
    } else {
      plan.steps.reserve(graph.size());
    }
  }
  const Plan::Keep keep = !options.keep_items ? Plan::Keep::kCountOnly
                          : options.details   ? Plan::Keep::kItem
                                              : Plan::Keep::kStep;
  // Shows the item to `planned`, then keeps or counts it.
  auto add = [&](PlanItem item) {
    if (options.planned) options.planned(item);
    plan.Add(std::move(item), keep);
  };
  for (size_t i : graph.order()) {
    const Resource& r = graph.at(i);
    if (options.every_boot_only && !r.EveryBoot()) continue;
    if (r.Stage() < options.first_stage || r.Stage() > options.last_stage) {
      continue;
    }
    add(PlanOne(r, static_cast<long>(i), &graph, sys, run, records,
                options.details, &plan.notes));
    for (const auto& w : r.Warnings())
      plan.warnings.push_back(r.Id() + ": " + w);
  }
  if (options.every_boot_only || !options.orphans) return plan;

  // Orphans: recorded, no longer configured. Deleted only when the record
  // says flamingo created them; in reverse id order so that children go
  // before their parents.
  records.ForEachId(
      [&](std::string_view id) {
        if (graph.Find(id) >= 0) return;
        const Record record = records.at(id);
        auto created = record.find("created");
        bool ours = created != record.end() && created->second == "true";
        std::unique_ptr<Resource> deleter;
        if (ours && orphans != nullptr) {
          deleter = orphans->MakeOrphan(std::string(IdKind(id)),
                                        std::string(IdName(id)), record);
        }
        if (!deleter) {
          plan.notes.push_back(std::string(id) +
                               ": no longer in the config; left alone (" +
                               (ours ? "this kind is never deleted"
                                     : "not created by flamingo") +
                               ")");
          plan.forget.emplace_back(id);
          return;
        }
        add(PlanOne(*deleter, -1, &graph, sys, run, records, options.details,
                    &plan.notes));
        plan.orphans.push_back(std::move(deleter));
      },
      /*descending=*/true);
  return plan;
}

namespace {

// Changed members a write batch holds before the engine commits it: a
// batch of 10,000 files held what the System keeps of 10,000 staged
// temporaries until the end (0.6 MB of peak RSS); at most this many, at the
// cost of one more journal commit per this many replaced files.
constexpr size_t kMaxPendingPerCommit = 1024;

// Resources released between two ReturnFreedMemory calls.
constexpr size_t kReleasesPerTrim = 1024;

// ApplyPlan; with `release` (the same graph), each resource is released as
// soon as it is reported, or, a member of a batch its members own that
// waits for the commit, once committed. (A member's report may still change
// at the commit: from Pending, without the resource.)
ApplyReport Apply(const Graph& graph, Graph* release, const Plan& plan,
                  System& sys, const RunInfo& run, RecordTable* records,
                  Logger* log) {
  size_t released = 0;
  auto done = [&](long graph_index) {
    if (release != nullptr && graph_index >= 0) {
      release->Release(static_cast<size_t>(graph_index));
      // What the released resources held goes back to the system as the
      // apply goes, not only at its end.
      if (++released % kReleasesPerTrim == 0) ReturnFreedMemory();
    }
  };
  ApplyReport report;
  // A plan with details is applied as its steps.
  std::vector<PlanStep> from_items;
  for (const PlanItem& item : plan.items) {
    from_items.push_back(PlanStep{item.resource,
                                  static_cast<int32_t>(item.graph_index),
                                  item.change.action, item.error});
  }
  const std::vector<PlanStep>& steps =
      plan.items.empty() ? plan.steps : from_items;
  // Step k's result is results[k]. Its id is filled in at the end, once
  // every resource is released: 10,000 ids made as the apply goes each
  // landed in the hole a released resource had left, and kept that page
  // resident (1 MB at 10,000 files). Until then the graph's name table (or
  // an orphan's deleter, which the plan owns) has it.
  report.results.reserve(steps.size());
  report.record_changed.reserve(steps.size());
  auto id_of = [&](size_t k) {
    const long i = steps[k].graph_index;
    return i >= 0 ? std::string(graph.id(static_cast<size_t>(i)))
                  : steps[k].resource->Id();
  };
  // Ids that failed or were skipped: their dependents are skipped.
  std::vector<bool> bad(graph.size(), false);
  // Whether a resource's Apply ran: from then on, a resource the plan found
  // converged is observed again before it is reported unchanged.
  bool applied_any = false;

  // Write batches with members applied since their last commit. A member
  // that changed is only done once its batch is committed: until then its
  // "created" mark is provisional and a delete keeps the record.
  struct Pending {
    size_t result;  // index in report.results
    long graph_index;
    std::optional<std::string> created_before;  // the record's "created"
  };
  std::vector<std::pair<WriteBatch*, std::vector<Pending>>> open;
  // Commits the open batches for which `which` is true.
  auto commit = [&](auto which) {
    for (auto it = open.begin(); it != open.end();) {
      if (!which(it->first)) {
        ++it;
        continue;
      }
      Status st = it->first->Commit(sys);
      const bool release_now = !it->first->OutlivesMembers();
      for (const Pending& p : it->second) {
        if (release_now) done(p.graph_index);
        ResourceResult& res = report.results[p.result];
        const std::string id = id_of(p.result);
        if (st.ok()) {
          if (res.action == Action::kDelete) records->Erase(id);
          continue;
        }
        // The change never reached the disk.
        res.outcome = Outcome::kFailed;
        res.message = "deferred write failed: " + st.message();
        if (p.graph_index >= 0) bad[static_cast<size_t>(p.graph_index)] = true;
        if (auto rec = records->Get(id)) {
          if (p.created_before) {
            (*rec)["created"] = *p.created_before;
          } else {
            rec->erase("created");
          }
          records->Set(id, *rec);
        }
        if (log != nullptr) log->Error(id + ": failed: " + res.message);
      }
      it = open.erase(it);
    }
  };
  auto commit_all_but = [&](const WriteBatch* keep) {
    commit([keep](const WriteBatch* b) { return b != keep; });
  };

  for (size_t k = 0; k < steps.size(); ++k) {
    const PlanStep& item = steps[k];
    const Resource& r = *item.resource;
    // Nothing that is not a member of a batch sees the files without the
    // batch's pending writes; and a failed commit fails the members before
    // their dependents are considered.
    WriteBatch* batch = r.Batch();
    commit_all_but(batch);
    const std::string id = id_of(k);
    ResourceResult res;
    res.action = item.action;
    bool record_changed = false;
    // Whether the resource has a record from now on (if only an empty one).
    bool keeps_record = false;
    bool waits_for_commit = false;

    if (item.graph_index >= 0) {
      for (size_t d : graph.deps(static_cast<size_t>(item.graph_index))) {
        if (bad[d]) {
          res.outcome = Outcome::kSkipped;
          res.message = "skipped: depends on " + std::string(graph.id(d)) +
                        ", which did not converge";
          break;
        }
      }
    }
    auto finish = [&](Outcome o, std::string message) {
      res.outcome = o;
      res.message = std::move(message);
      if ((o == Outcome::kFailed || o == Outcome::kSkipped) &&
          item.graph_index >= 0) {
        bad[static_cast<size_t>(item.graph_index)] = true;
      }
      if (log != nullptr) {
        std::string line = id + ": " + OutcomeName(o);
        if (o == Outcome::kChanged)
          line += std::string(" (") + ActionName(res.action) + ")";
        if (!res.message.empty()) line += ": " + res.message;
        log->Log(o == Outcome::kFailed    ? LogLevel::kError
                 : o == Outcome::kSkipped ? LogLevel::kWarning
                                          : LogLevel::kInfo,
                 line);
      }
      if (keeps_record) records->Touch(id);
      report.results.push_back(std::move(res));
      report.record_changed.push_back(record_changed);
      // A member waiting for its batch's commit goes with the commit, unless
      // the batch does not need it (Pending has what the engine needs).
      if (!waits_for_commit) done(item.graph_index);
    };
    if (res.outcome == Outcome::kSkipped) {
      finish(Outcome::kSkipped, std::move(res.message));
      continue;
    }
    if (!item.error.ok()) {
      finish(Outcome::kFailed, item.error.message());
      continue;
    }

    Record record = records->Get(id).value_or(Record());
    keeps_record = true;
    ResourceContext ctx(run, &record, &graph);

    // Found converged by the plan, and nothing applied since: the plan's
    // observation is this one (a converged run observes each resource once).
    if (item.action == Action::kNone && !applied_any) {
      finish(Outcome::kUnchanged, "");
      continue;
    }
    // Re-observe: the machine may have changed since the plan was made.
    auto before = r.Observe(sys, ctx);
    if (!before.ok()) {
      finish(Outcome::kFailed, before.status().message());
      continue;
    }
    Change change = r.Diff(*before, ctx);
    res.action = change.action;
    if (change.action == Action::kNone) {
      finish(Outcome::kUnchanged, "");
      continue;
    }
    std::optional<std::string> created_before;
    if (auto c = record.find("created"); c != record.end()) {
      created_before = c->second;
    }
    std::vector<Pending>* pending = nullptr;
    if (batch != nullptr) {
      auto open_it = std::find_if(open.begin(), open.end(), [&](const auto& o) {
        return o.first == batch;
      });
      if (open_it == open.end()) {
        open.emplace_back(batch, std::vector<Pending>{});
        open_it = std::prev(open.end());
      }
      pending = &open_it->second;
      // The open batch may be this member's to keep alive until the commit
      // (kept to the graph's end if it fails: the commit does not know it).
      waits_for_commit = !batch->OutlivesMembers();
    }
    record_changed = true;
    if (r.RecordOutlivesBoot()) report.durable_records_changed = true;
    if (batch != nullptr) batch->Begin(sys);
    applied_any = true;
    Status st = r.Apply(sys, change, ctx, &record);
    if (st.ok() && change.action == Action::kCreate) record["created"] = "true";
    records->Set(id, record);  // also what a failed Apply recorded
    if (!st.ok()) {
      finish(Outcome::kFailed, st.message());
      continue;
    }
    auto after = r.Observe(sys, ctx);
    if (!after.ok()) {
      finish(Outcome::kFailed, "after apply: " + after.status().message());
      continue;
    }
    Change left = r.Diff(*after, ctx);
    if (left.action != Action::kNone) {
      std::string fields;
      for (const auto& f : left.fields) {
        fields += fields.empty() ? f.name : ", " + f.name;
      }
      finish(Outcome::kFailed,
             std::string("not converged after apply: still needs ") +
                 ActionName(left.action) +
                 (fields.empty() ? "" : " of " + fields));
      continue;
    }
    if (pending != nullptr) {
      pending->push_back(Pending{k, item.graph_index, created_before});
    } else if (change.action == Action::kDelete) {
      records->Erase(id);
      keeps_record = false;
    }
    finish(Outcome::kChanged, "");
    // Committed early when it holds many: what waits for a commit stays
    // bounded. Correct at any time: no resource outside the batch runs in
    // between. (After finish: the commit settles the result just made.)
    if (pending != nullptr && pending->size() >= kMaxPendingPerCommit) {
      commit([batch](const WriteBatch* b) { return b == batch; });
    }
  }
  commit_all_but(nullptr);
  for (const auto& id : plan.forget) {
    if (records->Erase(id)) {
      report.forgotten.push_back(id);
      report.durable_records_changed = true;
    }
  }
  for (size_t k = 0; k < report.results.size(); ++k) {
    report.results[k].id = id_of(k);
  }
  // Durability of the run's directory changes, before anyone records them.
  Status synced = sys.Sync();
  if (!synced.ok()) {
    for (ResourceResult& r : report.results) {
      if (r.outcome != Outcome::kChanged) continue;
      r.outcome = Outcome::kFailed;
      r.message = "applied but not made durable: " + synced.message();
    }
    if (log != nullptr) log->Error(synced.message());
  }
  return report;
}

}  // namespace

ApplyReport ApplyPlan(const Graph& graph, const Plan& plan, System& sys,
                      const RunInfo& run, RecordTable* records, Logger* log) {
  return Apply(graph, nullptr, plan, sys, run, records, log);
}

ApplyReport ApplyPlanReleasing(Graph* graph, const Plan& plan, System& sys,
                               const RunInfo& run, RecordTable* records,
                               Logger* log) {
  return Apply(*graph, graph, plan, sys, run, records, log);
}

}  // namespace flamingo
