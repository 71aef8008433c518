#include "resources/write_files.h"

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
  std::vector<FileSpec> specs;
  specs.reserve(list->items().size());
  for (const Value& item : list->items()) {
    if (auto spec = ParseFileEntry(item, diags)) {
      specs.push_back(std::move(*spec));
    }
  }
  // One parse of /etc/passwd and /etc/group for all owners of the run.
  auto accounts = std::make_shared<AccountDbCache>();
  for (auto& spec : MergeFileSpecs(std::move(specs))) {
    auto r = std::make_unique<FileResource>(std::move(spec));
    r->set_account_cache(accounts);
    out->Add(std::move(r));
  }
}

}  // namespace flamingo
