#include "resources/write_files.h"

#include <deque>

#include "resources/file_resource.h"
#include "resources/file_spec.h"

namespace flamingo {

void CompileWriteFiles(const CompileInput& in, CompileOutput* out,
                       Diagnostics* diags) {
  const Value* list =
      in.config.is_map() ? in.config.Get("write_files") : nullptr;
  if (list == nullptr || list->is_null()) return;
  if (!list->is_list()) {
    diags->Error(*list, std::string("expected a list, got ") +
                            Value::TypeName(list->type()));
    return;
  }
  std::deque<FileSpec> specs;
  for (const Value& item : list->items()) {
    if (auto spec = ParseFileEntry(item, diags)) {
      specs.push_back(std::move(*spec));
    }
  }
  MergeFileSpecs(&specs);
  // One parse of /etc/passwd and /etc/group for all owners of the run.
  auto accounts = std::make_shared<AccountDbCache>();
  // Each spec leaves the deque as its resource is made: the specs are never
  // held twice (10,000 files: 1.1 MB).
  while (!specs.empty()) {
    auto r = std::make_unique<FileResource>(std::move(specs.front()));
    specs.pop_front();
    r->set_account_cache(accounts);
    out->Add(std::move(r));
  }
}

}  // namespace flamingo
