#include "resources/identity/identity_test_util.h"

#include "resources/identity/compile.h"
#include "resources/kinds.h"
#include "schemas/yaml_loader.h"

namespace flamingo::identity::idtest {

void SeedEtc(FakeSystem* sys) {
  sys->AddDir("/etc", {0755, 0, 0});
  sys->AddFile("/etc/passwd",
               "root:x:0:0:root:/root:/bin/bash\n"
               "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
               "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
               "bob:x:1000:1000:,,,:/home/bob:/bin/sh\n",
               {0644, 0, 0});
  sys->AddFile("/etc/shadow",
               "root:*:19000:0:99999:7:::\n"
               "daemon:*:19000:0:99999:7:::\n"
               "nobody:*:19000:0:99999:7:::\n"
               "bob:!:19000:0:99999:7:::\n",
               {0640, 0, 42});
  sys->AddFile("/etc/group",
               "root:x:0:\n"
               "daemon:x:1:\n"
               "adm:x:4:\n"
               "shadow:x:42:\n"
               "users:x:100:\n"
               "nogroup:x:65534:\n"
               "bob:x:1000:\n",
               {0644, 0, 0});
  sys->AddFile("/etc/gshadow",
               "root:*::\ndaemon:*::\nadm:*::\nshadow:*::\nusers:*::\n"
               "nogroup:*::\nbob:!::\n",
               {0640, 0, 42});
  sys->AddFile("/etc/login.defs",
               "UID_MIN 1000\nUID_MAX 60000\nGID_MIN 1000\nGID_MAX 60000\n"
               "UMASK 022\nENCRYPT_METHOD SHA512\n",
               {0644, 0, 0});
  sys->AddDir("/etc/skel", {0755, 0, 0});
  sys->AddFile("/etc/skel/.bashrc", "# bashrc\n", {0644, 0, 0});
  sys->AddDir("/etc/skel/.config", {0700, 0, 0});
  sys->AddFile("/etc/skel/.config/app", "x\n", {0600, 0, 0});
  sys->AddDir("/root", {0700, 0, 0});
  sys->AddDir("/home", {0755, 0, 0});
  sys->AddDir("/home/bob", {0755, 1000, 1000});
}

std::string IdRun::Everything() const {
  std::string out = log;
  for (const auto& item : plan.items) {
    out += item.change.id + " " + item.change.reason + "\n";
    for (const auto& f : item.change.fields) {
      out += f.name + "=" + f.before.value_or("") + "->" +
             f.after.value_or("") + "\n";
    }
    out += item.error.message() + "\n";
  }
  for (const auto& w : plan.warnings) out += w + "\n";
  for (const auto& n : plan.notes) out += n + "\n";
  for (const auto& r : report.results) out += r.message + "\n";
  for (const auto& d : diags.items()) out += d.ToString() + "\n";
  return out;
}

std::vector<std::string> IdRun::Changes() const {
  std::vector<std::string> out;
  for (const auto& item : plan.items) {
    if (item.change.action != Action::kNone) {
      out.push_back(std::string(ActionName(item.change.action)) + " " +
                    item.change.id);
    }
  }
  return out;
}

const Change* IdRun::Find(const std::string& id) const {
  for (const auto& item : plan.items) {
    if (item.change.id == id) return &item.change;
  }
  return nullptr;
}

IdRun Driver::Plan(const std::string& yaml, const std::string& meta) {
  return Do(yaml, meta, false);
}
IdRun Driver::Apply(const std::string& yaml, const std::string& meta) {
  return Do(yaml, meta, true);
}

IdRun Driver::Do(const std::string& yaml, const std::string& meta, bool apply) {
  IdRun run;
  auto config = LoadYaml(yaml, "user-data", &run.diags);
  auto md = LoadYaml(meta, "meta-data", &run.diags);
  if (!config || !md) return run;
  if (config->is_null()) *config = Value::Map();
  std::vector<ScriptPart> scripts;
  RunInfo info;
  info.instance_id = "iid-1";
  CompileInput in{*config, *md, scripts, info};
  CompileOutput out;
  CompileIdentity(in, &out, &run.diags);
  if (run.diags.HasErrors()) return run;
  Graph graph;
  for (auto& r : out.resources) graph.Add(std::move(r));
  Status built = graph.Build();
  if (!built.ok()) {
    run.build_error = built.message();
    return run;
  }
  run.built = true;
  KindOrphanFactory orphans;
  run.plan = MakePlan(graph, *sys_, info, records_, &orphans);
  if (apply && !run.plan.HasErrors()) {
    RecordingLogger log;
    run.report = ApplyPlan(graph, run.plan, *sys_, info, &records_, &log);
    for (const auto& m : log.messages) run.log += m.message + "\n";
  }
  return run;
}

}  // namespace flamingo::identity::idtest
