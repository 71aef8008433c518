// The locale module: `locale`, `locale_configfile` (cloud-init's
// cc_locale). Compiles to at most one LocaleResource (kind "locale", name
// the config file, default /etc/locale.conf):
//
//  - The file's LANG= line is set to the locale (other lines, e.g. LC_*
//    settings, are kept; LANG="x" counts as LANG=x); a missing file is
//    created 0644 root.
//  - `locale: false`, or no `locale`, leaves the locale alone (cloud-init
//    would apply its distro default; flamingo keeps the image's).
//  - The locale is not generated (no locale-gen): on Fedora / RHEL the
//    langpacks provide it; on Debian it must be in the image.
//
// Plan field: "LANG" (before: the file's value, absent when none). Drift is
// repaired. Never deleted. Member of the staged plain-file writes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/resource.h"
#include "resources/kinds.h"
#include "resources/staged_writes.h"

namespace flamingo {

inline constexpr char kLocaleConf[] = "/etc/locale.conf";

void CompileLocale(const CompileInput& in, CompileOutput* out,
                   Diagnostics* diags);

// The value of the last LANG= line of a locale file, unquoted, or nullopt.
std::optional<std::string> LocaleLang(const std::string& text);
// `text` with its LANG= line(s) replaced by one LANG=`lang` where the first
// one was (or appended at the end).
std::string SetLocaleLang(const std::string& text, const std::string& lang);

class LocaleResource : public Resource {
 public:
  LocaleResource(std::string lang, std::string file, std::string origin)
      : lang_(std::move(lang)),
        file_(std::move(file)),
        origin_(std::move(origin)) {}

  std::string Kind() const override { return "locale"; }
  std::string Name() const override { return file_; }
  std::vector<std::string> Provides() const override {
    return {"path:" + file_};
  }
  std::vector<std::string> Requires() const override {
    return {"path:" + ParentPath(file_)};
  }
  std::string Origin() const override { return origin_; }
  WriteBatch* Batch() const override { return StagedWrites(); }

  Result<Observation> Observe(const SystemReader& sys,
                              const ResourceContext& ctx) const override;
  Change Diff(const Observation& observed,
              const ResourceContext& ctx) const override;
  Status Apply(System& sys, const Change& change, const ResourceContext& ctx,
               Record* record) const override;

 private:
  std::string lang_;
  std::string file_;
  std::string origin_;
};

}  // namespace flamingo
