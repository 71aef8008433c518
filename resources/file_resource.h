// FileResource: one write_files path, kind "file", name = the path (also
// yum_repos' files, kind "yum_repo": FileSpec::kind, keep_foreign).
//
// Desired state: the content (decoded at compile time, or read from a
// file:// source at plan/apply time), mode and owner. Missing parent
// directories are created with mode 0755, owned by root except the file's
// own directory, which gets the file's owner (cloud-init's ensure_dir:
// makedirs, then chown of the last directory only).
//
// Plan fields: content (as "sha256:<hex> (N bytes)", never the bytes), mode
// ("0644"), owner ("user:group"). A symlink at the path is replaced, never
// followed. With append, the content is appended once: the record keeps
// "appended_sha256" of what was appended, and while the file still contains
// it, it is not appended again.
//
// Owner names are resolved against the target's /etc/passwd and /etc/group.
// A user or group that does not exist yet but that another resource in the
// graph provides ("user:NAME", "group:NAME", or a user of that name for its
// private group) is resolved at apply time; any other unknown name is a
// planning error naming the owner's position in the config.
//
// Edges: provides "path:<path>"; requires "path:<each ancestor>",
// "user:<owner>", "group:<group>" and "user:<group>" (a user's private
// group), none of them for root. Stage: default, or
// deferred (after users and everything else but scripts) with defer: true.
// Never deleted: cloud-init never removes a file it wrote.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/resource.h"
#include "resources/account_db.h"
#include "resources/file_spec.h"
#include "resources/staged_writes.h"

namespace flamingo {

class FileResource : public Resource {
 public:
  explicit FileResource(FileSpec spec) : spec_(std::move(spec)) {}

  std::string Kind() const override { return spec_.kind; }
  std::string Name() const override { return spec_.path; }
  std::vector<std::string> Provides() const override;
  std::vector<std::string> Requires() const override;
  int Stage() const override;
  std::string Origin() const override { return spec_.origin.Format(); }
  // Replacements wait for one commit with the other plain files.
  WriteBatch* Batch() const override { return StagedWrites(); }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

  const FileSpec& spec() const { return spec_; }
  // Shares the parsed /etc/passwd and /etc/group with the other files of
  // the run (owner lookups); without it each Observe reads them.
  void set_account_cache(std::shared_ptr<AccountDbCache> cache) {
    accounts_ = std::move(cache);
  }

  // Record key: sha256 of the content last appended (append only).
  static constexpr char kAppendedKey[] = "appended_sha256";

 private:
  FileSpec spec_;
  std::shared_ptr<AccountDbCache> accounts_;
};

// "sha256:<hex> (N bytes)".
std::string ContentFingerprint(const std::string& content);

}  // namespace flamingo
