// The write_files module: compiles the `write_files` list into one
// FileResource per path (see file_spec.h for merging, file_resource.h for
// behaviour). Orphans: none; a file flamingo wrote that is no longer in the
// config is left in place, as cloud-init never deletes files.
#pragma once

#include "resources/kinds.h"

namespace flamingo {

void CompileWriteFiles(const CompileInput& in, CompileOutput* out,
                       Diagnostics* diags);

// The same compile, item by item while the list is parsed (ItemStream):
// each item is checked by the schema, parsed into its spec and dropped.
std::unique_ptr<ItemStream> MakeWriteFilesStream();

}  // namespace flamingo
