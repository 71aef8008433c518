// SSH host keys (cloud-init's cc_ssh: `ssh_deletekeys`, `ssh_genkeytypes`).
// An image carries the host keys it was built with; every instance made
// from it must get its own. Compiles to one HostKeysResource (kind
// "ssh_host_keys", name "/etc/ssh") for every config:
//
//  - Once per instance, at boot (`apply --boot`; never in plain `apply`,
//    `--reconcile` or `plan` without --boot), like cloud-init's per-instance
//    module: the record keeps the instance-id the keys were made for.
//  - Each type of ssh_genkeytypes (default rsa, ecdsa, ed25519) is made by
//    `ssh-keygen -q -t TYPE -N "" -f` into a temporary name inside the
//    target, then renamed over /etc/ssh/ssh_host_TYPE_key(.pub)
//    (System::RenameFile: durable first, the file's inode and label kept):
//    a failed ssh-keygen leaves the old key in place, so sshd is never left
//    without keys. With ssh_deletekeys (default true) the new keys replace
//    the old ones, and the keys of other types are removed afterwards;
//    with ssh_deletekeys: false only missing types are made.
//  - Private keys 0600 root:root, or 0640 root:ssh_keys when the target has
//    an ssh_keys group (Fedora / RHEL); public keys 0644.
//  - `ssh_keys` gives the keys instead (TYPE_private, TYPE_public for rsa,
//    ecdsa, ed25519): then nothing is generated, as in cloud-init. Each
//    given private key is written (WriteFile: atomic, durable) with its
//    public key, or with the public key `ssh-keygen -y` derives from it;
//    with ssh_deletekeys the keys of types not given are removed.
//    TYPE_certificate (sshd HostCertificate) is not implemented: the
//    schema warns, and the certificate is ignored.
//  - Nothing is done (a note says why) when the target has no /etc/ssh, or
//    keys are to be generated and it has no ssh-keygen: no OpenSSH server to
//    serve the keys.
//  - Key material is never printed: the plan names the types only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/resource.h"
#include "resources/kinds.h"

namespace flamingo {

inline constexpr char kSshDir[] = "/etc/ssh";

void CompileHostKeys(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags);

class HostKeysResource : public Resource {
 public:
  // A key given by `ssh_keys`: the private key, and the public one ("" =
  // derive it with ssh-keygen -y).
  struct GivenKey {
    std::string private_key;
    std::string public_key;
  };
  // `given` non-empty: install those keys (by type) instead of generating
  // `types`.
  HostKeysResource(bool delete_keys, std::vector<std::string> types,
                   std::string origin,
                   std::map<std::string, GivenKey> given = {})
      : delete_keys_(delete_keys),
        types_(std::move(types)),
        origin_(std::move(origin)),
        given_(std::move(given)) {}

  std::string Kind() const override { return "ssh_host_keys"; }
  std::string Name() const override { return kSshDir; }
  // After the accounts, as cloud-init's ssh module runs after
  // users-groups: not a member of the account batch, so running among the
  // users would split their one commit of the account files in two.
  int Stage() const override { return kStageIdentity + 1; }
  // Evaluated on the reboot fast path too (a first run of the instance that
  // was not a boot, e.g. `apply` by hand, recorded the input as converged);
  // once made for the instance it costs a look at its record.
  bool EveryBoot() const override { return true; }
  std::string Origin() const override { return origin_; }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

  bool delete_keys() const { return delete_keys_; }
  const std::vector<std::string>& types() const { return types_; }

 private:
  // Writes the given key of `type` (and its public key) into place.
  Status Install(System& sys, const ResourceContext& ctx,
                 const std::string& type, const FileAttrs& private_attrs) const;

  bool delete_keys_;
  std::vector<std::string> types_;
  std::string origin_;
  std::map<std::string, GivenKey> given_;
};

}  // namespace flamingo
