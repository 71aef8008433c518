#include "resources/identity/sudo_resource.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "resources/identity/sudoers_check.h"

namespace flamingo::identity {
namespace {

constexpr char kSudoersDir[] = "/etc/sudoers.d";
constexpr char kSudoers[] = "/etc/sudoers";

struct Observed {
  std::optional<FileInfo> info;
  std::string content;
  bool needs_includedir = false;
  std::string sudoers;
  FileAttrs sudoers_attrs;
};

bool HasIncludeDir(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    line = line.substr(b);
    for (const char* d : {"#includedir", "@includedir"}) {
      if (line.rfind(d, 0) == 0) {
        std::string rest = line.substr(std::string(d).size());
        size_t s = rest.find_first_not_of(" \t");
        if (s != std::string::npos) rest = rest.substr(s);
        while (!rest.empty() && (rest.back() == ' ' || rest.back() == '/' ||
                                 rest.back() == '\t' || rest.back() == '\r')) {
          rest.pop_back();
        }
        if (rest == kSudoersDir) return true;
      }
    }
  }
  return false;
}

}  // namespace

std::string SudoResource::Path() const {
  std::string n = user_;
  std::replace(n.begin(), n.end(), '.', '_');
  return std::string(kSudoersDir) + "/90-flamingo-" + n;
}

std::string SudoResource::Content() const {
  std::string out = "# Managed by flamingo: sudo rules for " + user_ + "\n";
  for (const auto& r : rules_) out += user_ + " " + r + "\n";
  return out;
}

Result<Observation> SudoResource::Observe(const SystemReader& sys,
                                          const ResourceContext&) const {
  auto d = std::make_shared<Observed>();
  auto st = sys.Stat(Path());
  if (!st.ok()) return st.status();
  if (st->has_value()) {
    d->info = **st;
    if (d->info->type == FileType::kRegular) {
      auto text = sys.ReadFile(Path());
      if (!text.ok()) return text.status();
      d->content = *text;
    }
  }
  if (!orphan_) {
    auto sst = sys.Stat(kSudoers);
    if (!sst.ok()) return sst.status();
    if (sst->has_value() && (*sst)->type == FileType::kRegular) {
      auto text = sys.ReadFile(kSudoers);
      if (!text.ok()) return text.status();
      d->sudoers = *text;
      d->sudoers_attrs = {(*sst)->mode, (*sst)->uid, (*sst)->gid};
      d->needs_includedir = !HasIncludeDir(*text);
    }
  }
  Observation o;
  o.exists = d->info.has_value();
  o.detail = d;
  return o;
}

Change SudoResource::Diff(const Observation& o, const ResourceContext&) const {
  const auto* d = static_cast<const Observed*>(o.detail.get());
  if (orphan_) {
    if (!d->info) return MakeChange(Action::kNone);
    Change c = MakeChange(Action::kDelete);
    c.fields.push_back({"path", Path(), std::nullopt, false});
    return c;
  }
  Change c = MakeChange(d->info ? Action::kUpdate : Action::kCreate);
  std::string want = Content();
  if (!d->info || d->info->type != FileType::kRegular || d->content != want) {
    std::string rules;
    for (const auto& r : rules_) rules += (rules.empty() ? "" : "; ") + r;
    c.fields.push_back(
        {"rules",
         d->info ? std::optional<std::string>("(other content)") : std::nullopt,
         rules, false});
  }
  if (d->info &&
      (d->info->mode != 0440 || d->info->uid != 0 || d->info->gid != 0)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04o %u:%u", d->info->mode, d->info->uid,
                  d->info->gid);
    c.fields.push_back({"mode", buf, "0440 0:0", false});
  }
  if (d->needs_includedir) {
    c.fields.push_back({"/etc/sudoers includedir", std::nullopt,
                        "@includedir /etc/sudoers.d", false});
  }
  if (c.fields.empty()) return MakeChange(Action::kNone);
  return c;
}

Status SudoResource::Apply(System& sys, const Change&,
                           const ResourceContext& ctx, Record*) const {
  if (orphan_) return sys.Remove(Path());
  // Checked again right before install: a broken sudoers file locks admins
  // out.
  for (const auto& r : rules_) {
    SudoCheck c = CheckSudoRule(r);
    if (!c.ok) {
      return Status::Error("refusing to install sudo rule for " + user_ + ": " +
                           c.message);
    }
  }
  Status s = MakeDirs(sys, kSudoersDir, FileAttrs{0750, 0, 0});
  if (!s.ok()) return s;
  s = sys.WriteFile(Path(), Content(), FileAttrs{0440, 0, 0});
  if (!s.ok()) return s;
  auto observed = Observe(sys, ctx);
  if (!observed.ok()) return observed.status();
  const auto* d = static_cast<const Observed*>(observed->detail.get());
  if (d->needs_includedir) {
    std::string text = d->sudoers;
    if (!text.empty() && text.back() != '\n') text += '\n';
    text += "@includedir /etc/sudoers.d\n";
    s = sys.WriteFile(kSudoers, text, d->sudoers_attrs);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace flamingo::identity
