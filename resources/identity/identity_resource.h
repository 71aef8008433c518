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
#include "resources/identity/account_session.h"

namespace flamingo::identity {

class IdentityResource : public Resource {
 public:
  int Stage() const override { return kStageIdentity; }
  std::string Origin() const override { return origin_; }
  std::vector<std::string> Warnings() const override { return warnings_; }
  // Members of their account session's batch: the engine commits the
  // account files before any resource outside it (see AccountSession).
  WriteBatch* Batch() const override { return &session(); }

  void set_origin(std::string origin) { origin_ = std::move(origin); }
  void add_warning(std::string w) { warnings_.push_back(std::move(w)); }
  // Shares the account files with the module's other resources (default: a
  // session of its own, e.g. for an orphan).
  void set_session(std::shared_ptr<AccountSession> session) {
    session_ = std::move(session);
  }

 protected:
  // "user-data:3:5: " or "" (prefix for errors naming the entry).
  std::string At() const { return origin_.empty() ? "" : origin_ + ": "; }
  // The account files with this run's pending edits, read-only (Observe).
  Result<std::shared_ptr<const AccountDb>> ReadDb(
      const SystemReader& sys) const {
    return session().Read(sys);
  }
  // The account files to edit (Apply): locked, written when the engine
  // commits the session. Check everything that can fail before editing.
  Result<AccountDb*> EditDb(System& sys) const { return session().Edit(sys); }

 private:
  // The shared session, or one of its own made on first use (a compiler
  // sets the shared one before the engine sees the resource: thousands of
  // users must not each make a session only to drop it).
  AccountSession& session() const {
    if (session_ == nullptr) session_ = std::make_shared<AccountSession>();
    return *session_;
  }

  std::string origin_;
  std::vector<std::string> warnings_;
  mutable std::shared_ptr<AccountSession> session_;
};

// Record values that are lists: comma-joined names.
std::vector<std::string> RecordList(const Record* record,
                                    const std::string& key);

}  // namespace flamingo::identity
