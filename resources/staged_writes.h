// The write batch of the kinds whose Apply only writes files, directories
// and symlinks through the System, and starts nothing that reads them (no
// command, no service, no signal): file (write_files), hostname, etc_hosts,
// timezone, locale. Their replacements wait in the System's staging
// (System::SetStaging) and are made durable together, one journal commit
// for all instead of one each, then renamed in order: when a resource
// outside the batch is about to run, or the run ends (the engine's batch
// rules, engine/resource.h). Until then the members, and the engine's
// re-observation after Apply, read the staged content through the System.
#pragma once

#include "engine/resource.h"

namespace flamingo {

// The batch (stateless: one object serves every run).
WriteBatch* StagedWrites();

}  // namespace flamingo
