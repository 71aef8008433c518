// AccountSession: the account files (/etc/passwd, shadow, group, gshadow)
// of one run, shared by every identity resource compiled together, so that
// N users and groups cost one parse and one write of each file instead of N.
//
// Reads: Read() returns the parsed files as the next commit will leave them.
// With no edit pending, that is the disk: the files are stat'ed on every
// Read (inode, size, times, mode, owner) and parsed again only when one of
// them changed (another tool, a script, a failed commit).
//
// Edits: Edit() takes the shadow-utils lock (/etc/.pwd.lock) and keeps it
// until Commit(); the edits stay in memory (pending) and every member's
// Observe reads them, so the engine's re-observation after Apply sees the
// true next content of the files. Commit() writes each edited file once
// (System::WriteFile: atomic), then releases the lock. The engine commits
// before any resource that is not a member of the batch (a script, sshd -t,
// a file owned by a new user, the state file) and at the end of the run
// (engine/resource.h, WriteBatch).
//
// Not thread-safe for edits; Read may be called from several threads while
// nothing is pending.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "engine/resource.h"
#include "engine/status.h"
#include "engine/system.h"
#include "resources/identity/account_db.h"

namespace flamingo::identity {

class AccountSession : public WriteBatch {
 public:
  AccountSession() = default;
  AccountSession(const AccountSession&) = delete;
  AccountSession& operator=(const AccountSession&) = delete;

  // The account files with any pending edits applied (read-only).
  Result<std::shared_ptr<const AccountDb>> Read(const SystemReader& sys);
  // Locks the files (until Commit) and returns the db to edit in place;
  // every edit is pending until Commit. Callers check everything that can
  // fail before their first edit: an edit cannot be taken back.
  Result<AccountDb*> Edit(System& sys);
  // Writes the edited files (each once) and releases the lock. On failure
  // the edits are dropped and the next Read parses the files as they are.
  Status Commit(System& sys) override;

  bool pending() const { return db_ != nullptr && db_->dirty(); }
  // Times the files were parsed (for tests of the O(1) claim).
  int parse_count() const { return parses_; }

 private:
  // stat(2) identity of the five files (the four and login.defs).
  struct Identity {
    std::optional<FileInfo> files[5];
    int64_t day = 0;
    bool usable = true;  // false: the System cannot tell versions apart
  };
  static Result<Identity> Stat(const SystemReader& sys);
  static bool Same(const Identity& a, const Identity& b);
  // Makes db_ match the disk (parses when the identity changed). REQUIRES:
  // mu_ held and nothing pending.
  Status Refresh(const SystemReader& sys);

  std::mutex mu_;
  std::shared_ptr<AccountDb> db_;  // null: not loaded (or dropped)
  Identity identity_;              // of the disk content db_ was based on
  std::unique_ptr<LockHandle> lock_;
  int parses_ = 0;
};

}  // namespace flamingo::identity
