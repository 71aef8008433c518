#include "resources/identity/account_session.h"

namespace flamingo::identity {
namespace {

constexpr const char* kIdentityPaths[5] = {kPasswdPath, kShadowPath, kGroupPath,
                                           kGshadowPath, kLoginDefsPath};

}  // namespace

Result<AccountSession::Identity> AccountSession::Stat(const SystemReader& sys) {
  Identity id;
  for (int i = 0; i < 5; ++i) {
    auto st = sys.Stat(kIdentityPaths[i]);
    if (!st.ok()) return st.status();
    const auto& info = *st;
    if (info && info->inode == 0 && info->mtime_ns == 0 &&
        info->ctime_ns == 0) {
      id.usable = false;
    }
    id.files[i] = info;
  }
  id.day = AccountDb::Days(sys.Now());
  return id;
}

bool AccountSession::Same(const Identity& a, const Identity& b) {
  if (!a.usable || !b.usable) return false;
  for (int i = 0; i < 5; ++i) {
    if (!SameFileVersion(a.files[i], b.files[i])) return false;
  }
  return true;
}

Status AccountSession::Refresh(const SystemReader& sys) {
  auto id = Stat(sys);
  if (!id.ok()) return id.status();
  if (db_ != nullptr && id->day == identity_.day && Same(identity_, *id)) {
    return Status::Ok();
  }
  // Read after the stat: a change in between shows as a new identity on
  // the next Refresh (parsed again), never as stale content.
  auto raw = AccountDb::ReadRaw(sys);
  if (!raw.ok()) {
    db_.reset();
    return raw.status();
  }
  db_ = std::make_shared<AccountDb>(AccountDb::FromRaw(*raw));
  identity_ = std::move(*id);
  ++parses_;
  return Status::Ok();
}

Result<std::shared_ptr<const AccountDb>> AccountSession::Read(
    const SystemReader& sys) {
  std::lock_guard<std::mutex> guard(mu_);
  if (!pending()) {
    Status s = Refresh(sys);
    if (!s.ok()) return s;
  }
  return std::shared_ptr<const AccountDb>(db_);
}

Result<AccountDb*> AccountSession::Edit(System& sys) {
  std::lock_guard<std::mutex> guard(mu_);
  if (lock_ == nullptr) {
    auto lock = LockAccounts(sys);
    if (!lock.ok()) return lock.status();
    lock_ = std::move(*lock);
  }
  if (!pending()) {
    // Under the lock now: the db must be what is on disk.
    Status s = Refresh(sys);
    if (!s.ok()) {
      lock_.reset();
      return s;
    }
  }
  // A reader still holding the previous state keeps its own copy.
  if (db_.use_count() > 1) db_ = std::make_shared<AccountDb>(*db_);
  return db_.get();
}

Status AccountSession::Commit(System& sys) {
  std::lock_guard<std::mutex> guard(mu_);
  if (!pending()) {
    lock_.reset();
    return Status::Ok();
  }
  Status s;
  // We hold the lock: only a tool that ignores it could have changed the
  // files since we read them. Its change is not overwritten.
  auto before = Stat(sys);
  if (!before.ok()) {
    s = before.status();
  } else if (before->usable && identity_.usable) {
    bool changed = false;
    for (int i = 0; i < 4; ++i) {
      if (!SameFileVersion(before->files[i], identity_.files[i]))
        changed = true;
    }
    if (changed) {
      s = Status::Error(
          "the account files changed during the run (edited without "
          "/etc/.pwd.lock); not overwritten");
    }
  }
  if (s.ok()) s = db_->Save(sys);
  if (s.ok()) {
    auto after = Stat(sys);
    if (after.ok()) {
      // The db is now what the disk holds: no parse on the next Read.
      identity_ = std::move(*after);
      identity_.day = db_->today();
    } else {
      db_.reset();
    }
  } else {
    db_.reset();
  }
  lock_.reset();
  return s;
}

}  // namespace flamingo::identity
