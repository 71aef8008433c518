#include "resources/write_files.h"

#include <deque>

#include "resources/file_resource.h"
#include "resources/file_spec.h"
#include "schemas/cloud_config.h"

namespace flamingo {
namespace {

constexpr char kKey[] = "write_files";

// One resource per path of the parsed entries (merged first).
void AddFileResources(std::deque<FileSpec>* specs, CompileOutput* out) {
  MergeFileSpecs(specs);
  // One parse of /etc/passwd and /etc/group for all owners of the run.
  auto accounts = std::make_shared<AccountDbCache>();
  // Each spec leaves the deque as its resource is made: the specs are never
  // held twice (10,000 files: 1.1 MB).
  while (!specs->empty()) {
    auto r = std::make_unique<FileResource>(std::move(specs->front()));
    specs->pop_front();
    r->set_account_cache(accounts);
    out->Add(std::move(r));
  }
}

class WriteFilesStream : public ItemStream {
 public:
  const std::string& key() const override { return key_; }

  void Begin() override {
    validation_ = Diagnostics();
    compiled_ = Diagnostics();
    specs_.clear();
    invalid_ = false;
  }

  void Take(Value item) override {
    const size_t before = validation_.items().size();
    ValidateStreamedItem(key_, &item, &validation_);
    // Only this item's messages are looked at: asking HasErrors() of all
    // of them for every item was quadratic in a list of bad items.
    for (size_t i = before; i < validation_.items().size(); ++i) {
      invalid_ |= validation_.items()[i].severity == Severity::kError;
    }
    // After an error the compile is skipped (CompileAll): the specs would
    // never be used.
    if (invalid_) {
      specs_.clear();
      return;
    }
    if (auto spec = ParseFileEntry(item, &compiled_)) {
      specs_.push_back(std::move(*spec));
    }
  }

  void Compile(CompileOutput* out, Diagnostics* diags) override {
    for (const Diagnostic& d : compiled_.items()) diags->Add(d);
    compiled_ = Diagnostics();
    AddFileResources(&specs_, out);
  }

 private:
  const std::string key_ = kKey;
  Diagnostics compiled_;  // what ParseFileEntry said, in order
  std::deque<FileSpec> specs_;
  bool invalid_ = false;  // some item had a schema error
};

}  // namespace

void CompileWriteFiles(const CompileInput& in, CompileOutput* out,
                       Diagnostics* diags) {
  const Value* list = in.config.is_map() ? in.config.Get(kKey) : nullptr;
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
  AddFileResources(&specs, out);
}

std::unique_ptr<ItemStream> MakeWriteFilesStream() {
  return std::make_unique<WriteFilesStream>();
}

}  // namespace flamingo
