#include "resources/identity/doas_resource.h"

namespace flamingo::identity {
namespace {

constexpr char kDoasConf[] = "/etc/doas.conf";

struct Observed {
  std::optional<FileInfo> info;
  std::string content;
};

}  // namespace

std::string DoasResource::Merge(const std::string& current) const {
  std::string begin = "# flamingo: doas rules for " + user_;
  std::string end = "# flamingo: end " + user_;
  std::string block;
  if (!orphan_ && !rules_.empty()) {
    block = begin + "\n";
    for (const auto& r : rules_) block += r + "\n";
    block += end + "\n";
  }
  std::string out;
  bool inside = false, placed = false;
  size_t pos = 0;
  while (pos < current.size()) {
    size_t nl = current.find('\n', pos);
    if (nl == std::string::npos) nl = current.size();
    std::string line = current.substr(pos, nl - pos);
    pos = nl + 1;
    if (!inside && line == begin) {
      inside = true;
      continue;
    }
    if (inside) {
      if (line == end) {
        inside = false;
        if (!placed) out += block;
        placed = true;
      }
      continue;
    }
    out += line + "\n";
  }
  if (!placed) out += block;
  return out;
}

Result<Observation> DoasResource::Observe(const SystemReader& sys,
                                          const ResourceContext&) const {
  auto d = std::make_shared<Observed>();
  auto st = sys.Stat(kDoasConf);
  if (!st.ok()) return st.status();
  if (st->has_value()) {
    d->info = **st;
    if (d->info->type != FileType::kRegular) {
      return Status::Error(At() + "/etc/doas.conf is not a regular file");
    }
    auto text = sys.ReadFile(kDoasConf);
    if (!text.ok()) return text.status();
    d->content = *text;
  }
  Observation o;
  o.exists = d->info.has_value();
  o.detail = d;
  return o;
}

Change DoasResource::Diff(const Observation& o, const ResourceContext&) const {
  const auto* d = static_cast<const Observed*>(o.detail.get());
  std::string merged = Merge(d->content);
  if (merged == d->content && (d->info || orphan_)) {
    return MakeChange(Action::kNone);
  }
  if (orphan_ && !d->info) return MakeChange(Action::kNone);
  std::string rules;
  for (const auto& r : rules_) rules += (rules.empty() ? "" : "; ") + r;
  Change c = MakeChange(orphan_   ? Action::kDelete
                        : d->info ? Action::kUpdate
                                  : Action::kCreate);
  c.fields.push_back(
      {"rules", std::nullopt,
       orphan_ ? std::nullopt : std::optional<std::string>(rules), false});
  return c;
}

Status DoasResource::Apply(System& sys, const Change&,
                           const ResourceContext& ctx, Record* record) const {
  auto observed = Observe(sys, ctx);
  if (!observed.ok()) return observed.status();
  const auto* d = static_cast<const Observed*>(observed->detail.get());
  FileAttrs attrs{0600, 0, 0};
  if (d->info) attrs = {d->info->mode, d->info->uid, d->info->gid};
  Status s = sys.WriteFile(kDoasConf, Merge(d->content), attrs);
  if (!s.ok()) return s;
  if (!orphan_) (*record)["created"] = "true";
  return Status::Ok();
}

}  // namespace flamingo::identity
