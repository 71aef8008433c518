// FakeNetfilter: an in-memory Netfilter for unit tests. Replace() checks the
// table like the real one (nft::CheckTable) and stores it normalized; a
// refusal can be injected, which leaves the stored table unchanged.
#pragma once

#include <optional>
#include <string>

#include "system/nft/netfilter.h"

namespace flamingo {

class FakeNetfilter : public Netfilter {
 public:
  Result<nft::Table> Read() const override {
    if (!read_error_.empty()) return Status::Error(read_error_);
    return table_;
  }
  Status Replace(const nft::Table& desired) override {
    ++replace_count_;
    if (!refuse_.empty()) return Status::Error(refuse_);
    Status st = nft::CheckTable(desired);
    if (!st.ok()) return st;
    table_ = desired;
    if (!table_.exists) table_ = nft::Table{};
    table_.Normalize();
    return Status::Ok();
  }

  // Test helpers.
  const nft::Table& table() const { return table_; }
  nft::Table* mutable_table() { return &table_; }
  // Every later Replace fails with `message` (empty: stop refusing).
  void RefuseReplace(std::string message) { refuse_ = std::move(message); }
  void FailReads(std::string message) { read_error_ = std::move(message); }
  int replace_count() const { return replace_count_; }

 private:
  nft::Table table_;
  std::string refuse_;
  std::string read_error_;
  int replace_count_ = 0;
};

}  // namespace flamingo
