// Base of the identity kinds (group, user, ssh_keys, sudo, sshd): the
// identity stage (before anything that could fail for unrelated reasons),
// the declaration's origin, and plan warnings set by the compiler.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/resource.h"
#include "resources/identity/account_db.h"

namespace flamingo::identity {

class IdentityResource : public Resource {
 public:
  int Stage() const override { return kStageIdentity; }
  std::string Origin() const override { return origin_; }
  std::vector<std::string> Warnings() const override { return warnings_; }

  void set_origin(std::string origin) { origin_ = std::move(origin); }
  void add_warning(std::string w) { warnings_.push_back(std::move(w)); }
  // Shares parsed account files with the module's other resources.
  void set_db_cache(std::shared_ptr<AccountDbCache> cache) {
    cache_ = std::move(cache);
  }

 protected:
  // "user-data:3:5: " or "" (prefix for errors naming the entry).
  std::string At() const { return origin_.empty() ? "" : origin_ + ": "; }
  // The account files, read-only (for Observe), through the cache if set.
  Result<std::shared_ptr<const AccountDb>> ReadDb(
      const SystemReader& sys) const {
    if (cache_) return cache_->Get(sys);
    auto db = AccountDb::Load(sys);
    if (!db.ok()) return db.status();
    return std::make_shared<const AccountDb>(std::move(*db));
  }

 private:
  std::string origin_;
  std::vector<std::string> warnings_;
  std::shared_ptr<AccountDbCache> cache_;
};

// Record values that are lists: comma-joined names.
std::vector<std::string> RecordList(const Record* record,
                                    const std::string& key);

}  // namespace flamingo::identity
