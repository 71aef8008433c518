// final_message (cloud-init's cc_final_message): at the end of every boot's
// run, after runcmd and the user scripts, flamingo
//
//  - writes /var/lib/cloud/instances/IID/boot-finished ("UPTIME - TIMESTAMP
//    - v. VERSION", as cloud-init writes it) and points the link
//    /var/lib/cloud/instance at /var/lib/cloud/instances/IID: provisioning
//    tools (Packer, Terraform) wait for /var/lib/cloud/instance/boot-finished;
//  - appends the final message to the scripts' output log
//    (/var/log/flamingo-output.log). `final_message` sets it; $UPTIME,
//    $TIMESTAMP, $DATASOURCE, $VERSION and $CLOUD_INIT_VERSION (and the
//    ${NAME} forms) are replaced.
//
// Kind "final_message", name the boot-finished path; one resource for every
// config. Only at boot (`apply --boot`, or its late phase), once per boot
// (the record keeps the boot id): plan and plain `apply` say when it runs.
// The files describe the current boot: written without waiting for the disk.
// An existing /var/lib/cloud/instance that is not a symlink (a directory an
// image left) is written into as it is. Never deleted.
#pragma once

#include <string>

#include "engine/resource.h"
#include "resources/kinds.h"

namespace flamingo {

inline constexpr char kCloudInstanceLink[] = "/var/lib/cloud/instance";
inline constexpr char kCloudInstancesDir[] = "/var/lib/cloud/instances";
inline constexpr char kDefaultFinalMessage[] =
    "flamingo $VERSION finished at $TIMESTAMP. Datasource $DATASOURCE. "
    "Up $UPTIME seconds";

void CompileFinalMessage(const CompileInput& in, CompileOutput* out,
                         Diagnostics* diags);

// `text` with the variables replaced (unknown $NAMEs are kept as written).
std::string RenderFinalMessage(const std::string& text,
                               const std::string& uptime,
                               const std::string& timestamp,
                               const std::string& datasource,
                               const std::string& version);

// RFC 2822 time of `epoch_seconds` in UTC ("Sun, 29 Nov 2026 18:45:00 +0000").
std::string Rfc2822Time(int64_t epoch_seconds);

class FinalMessageResource : public Resource {
 public:
  FinalMessageResource(std::string message, std::string origin)
      : message_(std::move(message)), origin_(std::move(origin)) {}

  std::string Kind() const override { return "final_message"; }
  std::string Name() const override {
    return std::string(kCloudInstanceLink) + "/boot-finished";
  }
  // After every script of the late phase.
  int Stage() const override { return kStageLate + 1000; }
  bool EveryBoot() const override { return true; }
  bool RecordOutlivesBoot() const override { return false; }
  std::string Origin() const override { return origin_; }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

  const std::string& message() const { return message_; }

 private:
  std::string message_;
  std::string origin_;
};

}  // namespace flamingo
