#include "resources/unit_install.h"

#include <set>

#include "resources/unit_file.h"

namespace flamingo {
namespace {

// Reads a unit file following symlinks inside the root (unit files are
// often links), at most 8 levels.
Result<std::optional<std::string>> ReadUnit(const SystemReader& sys,
                                            std::string path) {
  for (int depth = 0; depth < 8; ++depth) {
    auto st = sys.Stat(path);
    if (!st.ok()) return st.status();
    if (!st->has_value()) return std::optional<std::string>();
    if ((*st)->type == FileType::kRegular) {
      auto content = sys.ReadFile(path);
      if (!content.ok()) return content.status();
      return std::optional<std::string>(*content);
    }
    if ((*st)->type != FileType::kSymlink) {
      return Status::Error("unit " + path + ": not a regular file");
    }
    auto target = sys.ReadLink(path);
    if (!target.ok()) return target.status();
    if (*target == "/dev/null") return std::optional<std::string>();
    path =
        target->starts_with("/") ? *target : ParentPath(path) + "/" + *target;
    path = NormalizePath(path);
  }
  return Status::Error("unit " + path + ": too many levels of symlinks");
}

struct Walk {
  const SystemReader& sys;
  bool runtime;
  const std::optional<PendingUnit>& pending;
  std::set<std::string> seen;
  std::vector<UnitSymlink> links;

  Status Enable(const std::string& name, bool top) {
    if (!seen.insert(name).second) return Status::Ok();
    std::string file;
    std::string content;
    if (pending &&
        (pending->name == name || pending->name == UnitTemplateOf(name))) {
      file = pending->path;
      content = pending->content;
    } else {
      auto found = FindUnitFile(sys, name);
      if (!found.ok()) return found.status();
      if (!found->has_value()) {
        return Status::Error("unit " + name + ": no unit file in " +
                             UnitConfigDir(false) +
                             ", /lib/systemd/system or the rest of the "
                             "unit search path");
      }
      file = **found;
      auto c = ReadUnit(sys, file);
      if (!c.ok()) return c.status();
      content = c->value_or("");
    }
    InstallInfo info = ParseInstall(ParseUnitFile(content));
    if (top && info.Empty()) {
      return Status::Error("unit " + name +
                           ": its [Install] section has no WantedBy=, "
                           "RequiredBy=, Alias= or Also=, so it cannot be "
                           "enabled");
    }
    std::string link_name = name;
    if (IsUnitTemplate(name)) {
      if (info.default_instance.empty()) {
        if (!info.wanted_by.empty() || !info.required_by.empty()) {
          return Status::Error("unit " + name +
                               ": a template without DefaultInstance= "
                               "cannot be enabled; name an instance");
        }
      } else {
        link_name = UnitInstance(name, info.default_instance);
      }
    }
    std::string dir = UnitConfigDir(runtime);
    for (const auto& w : info.wanted_by) {
      links.push_back({dir + "/" + w + ".wants/" + link_name, file});
    }
    for (const auto& r : info.required_by) {
      links.push_back({dir + "/" + r + ".requires/" + link_name, file});
    }
    for (const auto& a : info.alias) {
      if (dir + "/" + a != file) links.push_back({dir + "/" + a, file});
    }
    for (const auto& also : info.also) {
      Status s = Enable(also, false);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
};

}  // namespace

std::string UnitConfigDir(bool runtime) {
  return runtime ? "/run/systemd/system" : "/etc/systemd/system";
}

const std::vector<std::string>& UnitSearchPath() {
  static const std::vector<std::string>* path = new std::vector<std::string>{
      "/etc/systemd/system",           "/run/systemd/system",
      "/usr/local/lib/systemd/system", "/lib/systemd/system",
      "/usr/lib/systemd/system",
  };
  return *path;
}

Result<std::optional<std::string>> FindUnitFile(const SystemReader& sys,
                                                std::string_view name) {
  std::vector<std::string> names = {std::string(name)};
  std::string tmpl = UnitTemplateOf(name);
  if (!tmpl.empty()) names.push_back(tmpl);
  for (const auto& n : names) {
    for (const auto& dir : UnitSearchPath()) {
      std::string p = dir + "/" + n;
      auto st = sys.Stat(p);
      if (!st.ok()) return st.status();
      if (!st->has_value()) continue;
      if ((*st)->type == FileType::kSymlink) {
        auto t = sys.ReadLink(p);
        if (!t.ok()) return t.status();
        if (*t == "/dev/null") continue;  // a mask, not a definition
      }
      return std::optional<std::string>(p);
    }
  }
  return std::optional<std::string>();
}

Result<std::vector<UnitSymlink>> EnableSymlinks(
    const SystemReader& sys, std::string_view name, bool runtime,
    const std::optional<PendingUnit>& pending) {
  Walk w{sys, runtime, pending, {}, {}};
  Status s = w.Enable(std::string(name), true);
  if (!s.ok()) return s;
  return w.links;
}

Result<std::string> EnablementOf(const SystemReader& sys,
                                 const std::vector<UnitSymlink>& links) {
  size_t present = 0;
  for (const auto& l : links) {
    auto st = sys.Stat(l.path);
    if (!st.ok()) return st.status();
    if (!st->has_value() || (*st)->type != FileType::kSymlink) continue;
    auto t = sys.ReadLink(l.path);
    if (!t.ok()) return t.status();
    if (*t == l.target) ++present;
  }
  if (present == links.size()) return std::string("enabled");
  if (present == 0) return std::string("disabled");
  return std::string("partly enabled");
}

Result<bool> IsMasked(const SystemReader& sys, const std::string& path) {
  auto st = sys.Stat(path);
  if (!st.ok()) return st.status();
  if (!st->has_value() || (*st)->type != FileType::kSymlink) return false;
  auto t = sys.ReadLink(path);
  if (!t.ok()) return t.status();
  return *t == "/dev/null";
}

}  // namespace flamingo
