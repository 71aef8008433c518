// The timezone module: `timezone` (cloud-init's cc_timezone). Compiles to at
// most one TimezoneResource (kind "timezone", name "/etc/localtime"):
//
//  - /etc/localtime becomes the symlink "../usr/share/zoneinfo/ZONE", as
//    `timedatectl set-timezone` writes it (a link to
//    "/usr/share/zoneinfo/ZONE", the form Debian's tzdata writes, is already
//    converged; a copied zone file is replaced by the link).
//  - /etc/timezone (Debian's name file) gets "ZONE\n" when it exists; it is
//    never created (Fedora / RHEL have none).
//  - The zone must exist in the target: /usr/share/zoneinfo/ZONE, inside the
//    root, a TZif file. Otherwise planning fails, naming the zone.
//  - Nothing else: a running systemd notices /etc/localtime change on its
//    own, and glibc re-reads it.
//
// Plan fields: "localtime" (the link's target; "(regular file)" for a copied
// zone) and "etc_timezone". Drift is repaired. Never deleted: a timezone
// dropped from the config stays as it is.
#pragma once

#include <string>
#include <vector>

#include "engine/resource.h"
#include "resources/kinds.h"
#include "resources/staged_writes.h"

namespace flamingo {

inline constexpr char kLocaltimePath[] = "/etc/localtime";
inline constexpr char kEtcTimezonePath[] = "/etc/timezone";
inline constexpr char kZoneinfoDir[] = "/usr/share/zoneinfo/";

void CompileTimezone(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags);

// Why `zone` cannot name a zone file below /usr/share/zoneinfo ("" when it
// can): empty, absolute, an empty, "." or ".." component, or a character
// outside [A-Za-z0-9._+-].
std::string TimezoneNameProblem(const std::string& zone);

class TimezoneResource : public Resource {
 public:
  TimezoneResource(std::string zone, std::string origin)
      : zone_(std::move(zone)), origin_(std::move(origin)) {}

  std::string Kind() const override { return "timezone"; }
  std::string Name() const override { return kLocaltimePath; }
  std::vector<std::string> Provides() const override {
    return {std::string("path:") + kLocaltimePath,
            std::string("path:") + kEtcTimezonePath};
  }
  std::vector<std::string> Requires() const override { return {"path:/etc"}; }
  std::string Origin() const override { return origin_; }
  // Replacements wait for one commit with the other plain files.
  WriteBatch* Batch() const override { return StagedWrites(); }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

  const std::string& zone() const { return zone_; }
  // The symlink target written: "../usr/share/zoneinfo/ZONE".
  std::string LinkTarget() const;

 private:
  std::string zone_;
  std::string origin_;
};

}  // namespace flamingo
