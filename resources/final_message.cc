#include "resources/final_message.h"

#include <memory>

#include "engine/text.h"
#include "resources/script_run.h"
#include "version.h"

namespace flamingo {

namespace {

constexpr char kUptimePath[] = "/proc/uptime";

bool NameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Seconds since boot from /proc/uptime ("12.34 5.67"), as text; "unknown"
// when the target has none (an image under --root).
std::string Uptime(const SystemReader& sys) {
  auto text = sys.ReadFile(kUptimePath);
  if (!text.ok()) return "unknown";
  size_t end = text->find_first_of(" \n");
  std::string up = text->substr(0, end);
  return up.empty() ? "unknown" : up;
}

}  // namespace

std::string Rfc2822Time(int64_t epoch_seconds) {
  return FormatUtcTime(epoch_seconds, "%a, %d %b %Y %H:%M:%S +0000");
}

std::string RenderFinalMessage(const std::string& text,
                               const std::string& uptime,
                               const std::string& timestamp,
                               const std::string& datasource,
                               const std::string& version) {
  auto value = [&](const std::string& name, std::string* out) {
    if (name == "UPTIME")
      *out = uptime;
    else if (name == "TIMESTAMP")
      *out = timestamp;
    else if (name == "DATASOURCE")
      *out = datasource;
    else if (name == "VERSION" || name == "CLOUD_INIT_VERSION")
      *out = version;
    else
      return false;
    return true;
  };
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '$') {
      out += text[i++];
      continue;
    }
    bool braced = i + 1 < text.size() && text[i + 1] == '{';
    size_t start = i + (braced ? 2 : 1), end = start;
    while (end < text.size() && NameChar(text[end])) ++end;
    std::string replacement;
    bool closed = !braced || (end < text.size() && text[end] == '}');
    if (end > start && closed &&
        value(text.substr(start, end - start), &replacement)) {
      out += replacement;
      i = end + (braced ? 1 : 0);
    } else {
      out += text[i++];
    }
  }
  return out;
}

void CompileFinalMessage(const CompileInput& in, CompileOutput* out,
                         Diagnostics* /*diags*/) {
  std::string message = kDefaultFinalMessage;
  std::string origin;
  if (in.config.is_map()) {
    // The type is the schema's to check (schemas/keys/final_message.json).
    if (const Value* m = in.config.Get("final_message");
        m != nullptr && m->is_string()) {
      message = m->text();
      origin = m->Origin();
    }
  }
  out->Add(std::make_unique<FinalMessageResource>(std::move(message),
                                                  std::move(origin)));
}

Result<Observation> FinalMessageResource::Observe(
    const SystemReader& /*sys*/, const ResourceContext& ctx) const {
  Observation obs;
  obs.exists = true;
  if (const Record* r = ctx.record(); r != nullptr) {
    if (auto it = r->find("boot_id"); it != r->end()) {
      obs.fields["boot_id"] = it->second;
    }
  }
  return obs;
}

Change FinalMessageResource::Diff(const Observation& observed,
                                  const ResourceContext& ctx) const {
  Change c = MakeChange(Action::kNone);
  const RunInfo& run = ctx.run();
  if (!run.boot || run.reconcile) {
    c.reason = "written at the end of every boot (flamingo apply --boot)";
    return c;
  }
  auto it = observed.fields.find("boot_id");
  if (it != observed.fields.end() && it->second == run.boot_id) {
    c.reason = "written in this boot";
    return c;
  }
  c.action = Action::kRun;
  c.reason = "the end of boot " + run.boot_id;
  return c;
}

Status FinalMessageResource::Apply(System& sys, const Change& change,
                                   const ResourceContext& ctx,
                                   Record* record) const {
  if (change.action != Action::kRun) return Status::Ok();
  const RunInfo& run = ctx.run();
  const std::string uptime = Uptime(sys);
  const std::string timestamp = Rfc2822Time(sys.Now());
  const std::string version = FLAMINGO_VERSION;
  // /var/lib/cloud/instance -> instances/IID, unless the image has a
  // directory there.
  const std::string dir =
      std::string(kCloudInstancesDir) + "/" +
      (run.instance_id.empty() ? "iid-datasource-none" : run.instance_id);
  Status s = MakeDirs(sys, dir, FileAttrs{0755, 0, 0});
  if (!s.ok()) return s;
  auto link = sys.Stat(kCloudInstanceLink);
  if (!link.ok()) return link.status();
  std::string finished_dir = dir;
  if (link->has_value() && (*link)->type == FileType::kDirectory) {
    finished_dir = kCloudInstanceLink;
  } else {
    // Made anew only when it does not point there already.
    bool pointing = false;
    if (link->has_value() && (*link)->type == FileType::kSymlink) {
      auto target = sys.ReadLink(kCloudInstanceLink);
      pointing = target.ok() && *target == dir;
    }
    if (!pointing) {
      s = sys.MakeSymlink(kCloudInstanceLink, dir);
      if (!s.ok()) return s;
    }
  }
  s = sys.WriteFileVolatile(
      finished_dir + "/boot-finished",
      uptime + " - " + timestamp + " - v. " + version + "\n",
      FileAttrs{0644, 0, 0});
  if (!s.ok()) return s;
  s = AppendOutputLog(sys, RenderFinalMessage(message_, uptime, timestamp,
                                              run.datasource, version) +
                               "\n");
  if (!s.ok()) return s;
  (*record)["boot_id"] = run.boot_id;
  return Status::Ok();
}

}  // namespace flamingo
