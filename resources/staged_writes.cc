#include "resources/staged_writes.h"

namespace flamingo {
namespace {

class StagedWritesBatch : public WriteBatch {
 public:
  void Begin(System& sys) override { sys.SetStaging(true); }
  Status Commit(System& sys) override { return sys.CommitStaged(); }
  // One object for every run; what is pending is in the System.
  bool OutlivesMembers() const override { return true; }
};

}  // namespace

WriteBatch* StagedWrites() {
  static StagedWritesBatch* batch = new StagedWritesBatch();
  return batch;
}

}  // namespace flamingo
