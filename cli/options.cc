#include "cli/options.h"

#include <cstdlib>
#include <string_view>

namespace flamingo {

const char* UsageText() {
  return R"(usage: flamingo COMMAND [options]

commands:
  validate [--strict] FILE...   check cloud-config files; errors as FILE:LINE:COL: path: message
  plan  [options]               show what apply would change; changes nothing
  apply [options]               converge the machine; record what was applied
  status [--root DIR] [--format json]   the last run: instance, time, per-resource result
  query [options] [KEY]         the meta-data the datasource returned, as JSON
  schema                        print flamingo's cloud-config JSON schema
  version                       print the version

options:
  --root DIR            operate on the system image mounted at DIR (default /)
  --user-data FILE      use this user-data instead of asking a datasource
  --meta-data FILE      use this meta-data (YAML or JSON)
  --vendor-data FILE    use this vendor-data
  --datasource NAME     nocloud | configdrive | ec2 | gce | openstack | auto (default)
  --metadata-url URL    base URL of an HTTP datasource
  --format text|json    output format of plan, apply and status
  --detailed-exitcode   plan: exit 0 = no changes, 2 = changes pending, 1 = error
  --strict              unimplemented or unknown keys are errors, not warnings
  --boot                apply as at boot: per-boot and per-instance work, fast path
  --reconcile           apply declarative resources only (the timer's mode); no scripts
  --rerun-scripts       run this instance's once-only scripts again
  --phase early|late|all  plan/apply: only the early phase (declarative work,
                        bootcmd), only the late one (runcmd, user scripts),
                        or both (default); the boot units use early and late
  --boot-id ID          override the boot id (default /proc/sys/kernel/random/boot_id)
  --lock-timeout SECS   wait this long for another run to finish (default 60)
  --done-file PATH      apply: create PATH (on the host) when the run succeeded
  -v, --verbose         log each resource to stderr
  -q, --quiet           print only errors
  -h, --help            this text
)";
}

Result<CliOptions> ParseCliOptions(int argc, char** argv) {
  CliOptions o;
  auto need_value = [&](int& i, std::string_view flag) -> Result<std::string> {
    std::string_view arg = argv[i];
    size_t eq = arg.find('=');
    if (eq != std::string_view::npos) return std::string(arg.substr(eq + 1));
    if (i + 1 >= argc) {
      return Status::Error(std::string(flag) + " needs a value");
    }
    return std::string(argv[++i]);
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view flag = arg.substr(0, arg.find('='));
    auto value = [&](std::string* out) -> Status {
      auto v = need_value(i, flag);
      if (!v.ok()) return v.status();
      *out = *v;
      return Status::Ok();
    };
    auto opt_value = [&](std::optional<std::string>* out) -> Status {
      std::string v;
      Status s = value(&v);
      if (s.ok()) *out = v;
      return s;
    };
    Status st;
    if (flag == "--root") {
      st = value(&o.root);
    } else if (flag == "--user-data") {
      st = opt_value(&o.user_data);
    } else if (flag == "--meta-data") {
      st = opt_value(&o.meta_data);
    } else if (flag == "--vendor-data") {
      st = opt_value(&o.vendor_data);
    } else if (flag == "--datasource") {
      st = value(&o.datasource);
    } else if (flag == "--metadata-url") {
      st = opt_value(&o.metadata_url);
    } else if (flag == "--done-file") {
      st = opt_value(&o.done_file);
    } else if (flag == "--boot-id") {
      st = opt_value(&o.boot_id);
    } else if (flag == "--format") {
      std::string f;
      st = value(&f);
      if (st.ok()) {
        if (f == "text") {
          o.format = OutputFormat::kText;
        } else if (f == "json") {
          o.format = OutputFormat::kJson;
        } else {
          st = Status::Error("--format must be text or json, not '" + f + "'");
        }
      }
    } else if (flag == "--phase") {
      std::string p;
      st = value(&p);
      if (st.ok()) {
        if (p == "all") {
          o.phase = Phase::kAll;
        } else if (p == "early") {
          o.phase = Phase::kEarly;
        } else if (p == "late") {
          o.phase = Phase::kLate;
        } else {
          st = Status::Error("--phase must be early, late or all, not '" + p +
                             "'");
        }
      }
    } else if (flag == "--lock-timeout") {
      std::string v;
      st = value(&v);
      if (st.ok()) {
        char* end = nullptr;
        long n = std::strtol(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || n < 0 || n > 86400) {
          st = Status::Error("--lock-timeout must be seconds (0-86400)");
        } else {
          o.lock_timeout = static_cast<int>(n);
        }
      }
    } else if (arg == "--detailed-exitcode") {
      o.detailed_exitcode = true;
    } else if (arg == "--strict") {
      o.strict = true;
    } else if (arg == "--boot") {
      o.boot = true;
    } else if (arg == "--reconcile") {
      o.reconcile = true;
    } else if (arg == "--rerun-scripts") {
      o.rerun_scripts = true;
    } else if (arg == "-v" || arg == "--verbose") {
      o.verbose = true;
    } else if (arg == "-q" || arg == "--quiet") {
      o.quiet = true;
    } else if (arg == "-h" || arg == "--help") {
      o.command = "help";
    } else if (arg.size() > 1 && arg[0] == '-') {
      st = Status::Error("unknown option '" + std::string(arg) + "'");
    } else if (o.command.empty()) {
      o.command = std::string(arg);
    } else {
      o.args.emplace_back(arg);
    }
    if (!st.ok()) return st;
  }
  if (o.command.empty()) return Status::Error("no command given");
  if (o.boot && o.reconcile) {
    return Status::Error("--boot and --reconcile exclude each other");
  }
  if (o.reconcile && o.phase == Phase::kLate) {
    return Status::Error(
        "--reconcile runs no scripts: --phase late has nothing to do");
  }
  if (o.done_file && (o.done_file->empty() || (*o.done_file)[0] != '/')) {
    return Status::Error("--done-file must be an absolute path");
  }
  if (o.root.empty() || o.root[0] != '/') {
    return Status::Error("--root must be an absolute path");
  }
  return o;
}

}  // namespace flamingo
