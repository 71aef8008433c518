#include "resources/timezone.h"

#include <memory>

#include "engine/text.h"

namespace flamingo {

namespace {

constexpr char kRegularFile[] = "(regular file)";

bool ZoneChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '+' || c == '-';
}

}  // namespace

std::string TimezoneNameProblem(const std::string& zone) {
  if (zone.empty()) return "empty";
  if (zone.size() > 255) return "longer than 255 characters";
  if (zone[0] == '/') {
    return "absolute: name the zone below /usr/share/zoneinfo, e.g. "
           "Europe/Berlin";
  }
  for (std::string_view part : SplitString(zone, "/")) {
    if (part.empty() || part == "." || part == "..") {
      return "has an empty, \".\" or \"..\" component";
    }
    for (char c : part) {
      if (!ZoneChar(c)) {
        return std::string("has the character '") + c +
               "' (allowed: letters, digits, '.', '_', '+', '-', '/')";
      }
    }
  }
  return "";
}

void CompileTimezone(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags) {
  if (!in.config.is_map()) return;
  const Value* v = in.config.Get("timezone");
  if (v == nullptr || v->is_null()) return;
  if (!v->is_string()) {
    diags->Error(*v, std::string("expected a string, got ") +
                         Value::TypeName(v->type()));
    return;
  }
  const std::string& zone = v->text();
  if (zone.empty()) return;  // cloud-init skips the module
  std::string problem = TimezoneNameProblem(zone);
  if (!problem.empty()) {
    diags->Error(*v, "invalid timezone \"" + zone + "\": " + problem);
    return;
  }
  out->Add(std::make_unique<TimezoneResource>(zone, v->Origin()));
}

std::string TimezoneResource::LinkTarget() const {
  return std::string("..") + kZoneinfoDir + zone_;
}

Result<Observation> TimezoneResource::Observe(
    const SystemReader& sys, const ResourceContext& /*ctx*/) const {
  // The zone file must exist in the target (symlinks inside the root are
  // followed, as /usr/share/zoneinfo holds links between zones).
  std::string zone_file = kZoneinfoDir + zone_;
  auto data = sys.ReadFile(zone_file);
  if (!data.ok() || data->compare(0, 4, "TZif") != 0) {
    return Status::Error("unknown timezone \"" + zone_ + "\": " + zone_file +
                         (data.ok() ? " is not a zone file (no TZif header)"
                                    : " does not exist in the target"));
  }
  Observation obs;
  auto st = sys.Stat(kLocaltimePath);
  if (!st.ok()) return st.status();
  if (st->has_value()) {
    obs.exists = true;
    switch ((*st)->type) {
      case FileType::kSymlink: {
        auto target = sys.ReadLink(kLocaltimePath);
        if (!target.ok()) return target.status();
        obs.fields["localtime"] = *target;
        break;
      }
      case FileType::kRegular:
        obs.fields["localtime"] = kRegularFile;
        break;
      default:
        return Status::Error(std::string(kLocaltimePath) +
                             " exists and is neither a symlink nor a file");
    }
  }
  auto tz = sys.Stat(kEtcTimezonePath);
  if (!tz.ok()) return tz.status();
  if (tz->has_value() && (*tz)->type == FileType::kRegular) {
    auto text = sys.ReadFile(kEtcTimezonePath);
    if (!text.ok()) return text.status();
    obs.fields["etc_timezone"] = FirstContentLine(*text);
  }
  return obs;
}

Change TimezoneResource::Diff(const Observation& observed,
                              const ResourceContext& /*ctx*/) const {
  Change c = MakeChange(Action::kNone);
  auto link = observed.fields.find("localtime");
  if (link == observed.fields.end()) {
    c.action = Action::kCreate;
    c.fields.push_back({"localtime", std::nullopt, LinkTarget(), false});
  } else if (link->second != LinkTarget() &&
             link->second != kZoneinfoDir + zone_) {
    c.action = Action::kUpdate;
    c.fields.push_back({"localtime", link->second, LinkTarget(), false});
  }
  auto name = observed.fields.find("etc_timezone");
  if (name != observed.fields.end() && name->second != zone_) {
    if (c.action == Action::kNone) c.action = Action::kUpdate;
    c.fields.push_back({"etc_timezone", name->second, zone_, false});
  }
  return c;
}

Status TimezoneResource::Apply(System& sys, const Change& change,
                               const ResourceContext& /*ctx*/,
                               Record* /*record*/) const {
  for (const auto& f : change.fields) {
    Status s;
    if (f.name == "localtime") {
      s = MakeDirs(sys, "/etc", FileAttrs{0755, 0, 0});
      if (s.ok()) s = sys.MakeSymlink(kLocaltimePath, LinkTarget());
    } else if (f.name == "etc_timezone") {
      s = sys.WriteFile(kEtcTimezonePath, zone_ + "\n", FileAttrs{0644, 0, 0});
    }
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace flamingo
