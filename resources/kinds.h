// The one table of resource kinds (ninja's kTools[], Ignition's
// register/stages.go): which config keys each kind reads, how it compiles
// them into resources, and how it deletes what it created.
//
// Adding a kind = one row in kinds.cc + its files in resources/ + its
// schema fragment in schemas/keys/ + its docs page. The engine is untouched.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/resource.h"
#include "schemas/diagnostics.h"
#include "schemas/value.h"
#include "schemas/yaml_loader.h"

namespace flamingo {

class CompileOutput;

// A user-data part that is a script ("#!..." or text/x-shellscript).
struct ScriptPart {
  std::string name;     // part file name, e.g. "part-001" or the MIME filename
  std::string content;  // the whole script, starting with "#!"
};

// A module's top-level list compiled while it is parsed (10,000 write_files
// entries are then never a tree of their own): the loader hands each item
// to Take, which checks it against the schema (ValidateStreamedItem) and,
// while no item had an error, compiles it and drops it. The config keeps
// the list empty and marked streamed; validation takes validation() in its
// place and CompileAll calls Compile instead of the row's compile. The
// result is the same diagnostics, in the same order, and the same
// resources as the list compiled whole (tests compare them).
class ItemStream : public ListItemSink {
 public:
  // What the schema said of the items taken since Begin, in order.
  const Diagnostics& validation() const { return validation_; }
  // Adds the resources of the items taken since Begin (and the messages
  // their compile gave) as the row's compile would for the whole list.
  // REQUIRES: validation() has no error (CompileAll skips a row whose key
  // has one, as it skips the row's compile).
  virtual void Compile(CompileOutput* out, Diagnostics* diags) = 0;

 protected:
  Diagnostics validation_;
};

// Everything a kind compiles from. All references outlive the compile call.
struct CompileInput {
  const Value& config;     // merged cloud-config: a map (possibly empty)
  const Value& meta_data;  // normalized meta-data: a map (possibly empty)
  const std::vector<ScriptPart>& scripts;  // user-data script parts
  const RunInfo& run;
  // The reboot fast path: CompileAll compiles only the rows whose resources
  // can be EveryBoot() (KindEntry::every_boot); the rest are known to be
  // converged for this input and are not planned anyway.
  bool every_boot_only = false;
  // The stream of a streamed list in `config` (Value::is_streamed), or null.
  ItemStream* stream = nullptr;
};

// Where compiled resources go.
class CompileOutput {
 public:
  void Add(std::unique_ptr<Resource> r) { resources.push_back(std::move(r)); }
  std::vector<std::unique_ptr<Resource>> resources;
};

using CompileFn = void (*)(const CompileInput& in, CompileOutput* out,
                           Diagnostics* diags);
// Returns a resource that deletes an object flamingo created, or null.
// `shared` is the module's slot for whatever its orphans of one plan share
// (null at first; e.g. the identity module keeps one account session there,
// so that deleting N users reads and writes the account files once).
using OrphanFn = std::unique_ptr<Resource> (*)(const std::string& kind,
                                               const std::string& name,
                                               const Record& record,
                                               std::shared_ptr<void>* shared);

// One row: a module of related kinds (e.g. identity: group, user, ssh_key).
struct KindEntry {
  std::vector<std::string> kinds;  // the Kind() values of its resources
  std::vector<std::string> keys;   // top-level config keys it reads
  CompileFn compile;
  OrphanFn orphan;  // may be null: never deletes
  // Whether some of its resources are EveryBoot() (scripts): the only rows
  // compiled on the reboot fast path (CompileInput::every_boot_only).
  bool every_boot = false;
  // Makes the stream of the row's one key (its list compiled as it is
  // parsed), or null: the row compiles its keys from the tree.
  std::unique_ptr<ItemStream> (*stream)() = nullptr;
};

// The table, in a fixed order.
const std::vector<KindEntry>& Kinds();

// A new stream of the first row that has one (write_files), or null.
std::unique_ptr<ItemStream> MakeItemStream();

// Every top-level key some kind implements (for "not implemented" warnings).
std::vector<std::string> ImplementedKeys();

// Compiles the whole config into `graph` (not yet built). Semantic errors go
// to `diags` with their positions. A row is skipped when `diags` already
// holds an error under one of its keys (the schema found the section
// malformed: its compiler is not fed ill-typed input, and the other
// sections still get their semantic checks, so every error shows at once).
void CompileAll(const CompileInput& in, Graph* graph, Diagnostics* diags);

// Whether the input gives the every-boot rows anything to compile: one of
// their keys in `config`, or a user-data script part. When it does not,
// those rows compile the same resources from an empty config (the script
// directories), and the reboot fast path need not decode the user-data.
bool HasEveryBootInput(const Value& config,
                       const std::vector<ScriptPart>& scripts);

// The top-level config key of a diagnostic path: "users[1].shell" -> "users".
std::string TopLevelKey(const std::string& path);

// The OrphanFactory backed by the table. One factory per plan: it keeps
// each module's `shared` slot (see OrphanFn).
class KindOrphanFactory : public OrphanFactory {
 public:
  std::unique_ptr<Resource> MakeOrphan(const std::string& kind,
                                       const std::string& name,
                                       const Record& record) const override;

 private:
  mutable std::map<const KindEntry*, std::shared_ptr<void>> shared_;
};

}  // namespace flamingo
