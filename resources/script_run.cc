#include "resources/script_run.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string_view>
#include <vector>

#include "engine/text.h"
#include "resources/direct_command.h"

namespace flamingo {
namespace {

std::string Get(const Record* record, const std::string& key) {
  if (record == nullptr) return "";
  auto it = record->find(key);
  return it == record->end() ? "" : it->second;
}

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string Hex(uint64_t v, int digits) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[v & 0xf];
    v >>= 4;
  }
  return out;
}

std::string FormatTime(int64_t t) {
  return FormatUtcTime(t, "%Y-%m-%dT%H:%M:%SZ");
}

// "exit code 3", "timeout", "signal 9" as recorded -> words.
std::string ExitWords(const std::string& last_exit) {
  if (last_exit == "timeout") return "timed out";
  if (last_exit.rfind("signal ", 0) == 0) return "killed by " + last_exit;
  if (last_exit == "not started") return "could not be started";
  return "exit code " + last_exit;
}

// The last `n` non-empty lines of `text`, each indented.
std::string LastLines(const std::string& text, size_t n) {
  std::vector<std::string_view> lines = NonEmptyLines(text);
  if (lines.empty()) return "    (no output)";
  size_t start = lines.size() > n ? lines.size() - n : 0;
  std::string out;
  for (size_t k = start; k < lines.size(); ++k) {
    if (!out.empty()) out += '\n';
    out += "    ";
    out += lines[k];
  }
  return out;
}

// Runs job.commands as the shell would run the script's lines (see
// ScriptJob::commands). `base` carries the environment, cwd and log.
Result<ExecResult> RunCommands(System& sys, const ScriptJob& job,
                               ExecRequest base) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  base.env["PWD"] = base.cwd;
  ExecResult last;
  std::string tail;
  for (const std::vector<std::string>& argv : job.commands) {
    ExecRequest req = base;
    req.argv = argv;
    if (job.timeout_seconds > 0) {
      auto used =
          std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start)
              .count();
      if (used >= job.timeout_seconds) {
        last = ExecResult();
        last.timed_out = true;
        break;
      }
      req.timeout_seconds = job.timeout_seconds - static_cast<int>(used);
    }
    auto res = sys.Exec(req);
    if (!res.ok()) {
      // Not startable (not found, not executable, no "#!"): the shell's
      // own handling, message and exit code.
      req.argv = {"/bin/sh", "-c", ShellLine(argv)};
      res = sys.Exec(req);
      if (!res.ok()) return res.status();
    }
    last = *res;
    tail += res->output_tail;
    if (last.timed_out) break;
  }
  if (last.signaled && !last.timed_out) {  // what $? says after the script
    last.signaled = false;
    last.exit_code = 128 + last.signal;
  }
  if (tail.size() > kExecTailBytes) {
    tail.erase(0, tail.size() - kExecTailBytes);
  }
  last.output_tail = std::move(tail);
  return last;
}

std::string DoneKey(Frequency f) {
  switch (f) {
    case Frequency::kPerBoot:
      return "boot_id";
    case Frequency::kPerInstance:
      return "instance_id";
    case Frequency::kOnce:
      return "done";
  }
  return "done";
}

}  // namespace

const char* FrequencyName(Frequency f) {
  switch (f) {
    case Frequency::kPerBoot:
      return "every boot";
    case Frequency::kPerInstance:
      return "once per instance";
    case Frequency::kOnce:
      return "once";
  }
  return "?";
}

std::string ContentDigest(std::string_view content) {
  return "fnv1a64:" + Hex(Fnv1a64(content), 16);
}

std::string MarkerPath(std::string_view name) {
  std::string file;
  for (char c : name) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    file += keep ? c : '_';
  }
  if (file.empty() || file[0] == '.') file = "_" + file;
  return std::string(kMarkerDir) + "/" + file + "-" + Hex(Fnv1a64(name), 8);
}

std::map<std::string, std::string> ScriptEnvironment(const RunInfo& run) {
  return {
      {"PATH", kScriptPath},
      {"HOME", "/root"},
      {"LANG", "C.UTF-8"},
      {"USER", "root"},
      {"LOGNAME", "root"},
      {"SHELL", "/bin/sh"},
      {"INSTANCE_ID", run.instance_id},
      {"FLAMINGO_BOOT_ID", run.boot_id},
  };
}

ScriptHistory ReadHistory(const Record* record, const std::string& prefix) {
  ScriptHistory h;
  h.done_instance = Get(record, prefix + "instance_id");
  h.done_boot = Get(record, prefix + "boot_id");
  h.done_once = Get(record, prefix + "done") == "true";
  h.digest = Get(record, prefix + "digest");
  h.last_result = Get(record, prefix + "last_result");
  h.last_exit = Get(record, prefix + "last_exit");
  h.last_instance = Get(record, prefix + "last_instance_id");
  return h;
}

RunDecision DecideRun(Frequency freq, const ScriptHistory& h, bool interrupted,
                      bool ran_now, const std::string& digest,
                      const RunInfo& run) {
  const std::string f = FrequencyName(freq);
  if (ran_now) return {false, f + ": ran in this run", ""};

  bool done = false;
  std::string done_text;
  std::string not_yet;
  switch (freq) {
    case Frequency::kPerBoot:
      done = !run.boot_id.empty() && h.done_boot == run.boot_id;
      done_text = "already ran in this boot (" + run.boot_id + ")";
      not_yet = "not yet run in this boot (" + run.boot_id + ")";
      break;
    case Frequency::kPerInstance:
      done = !run.instance_id.empty() && h.done_instance == run.instance_id;
      done_text = "already ran for instance " + run.instance_id;
      not_yet = h.done_instance.empty()
                    ? "not yet run for instance " + run.instance_id
                    : "ran for instance " + h.done_instance +
                          "; this is a new instance " + run.instance_id;
      break;
    case Frequency::kOnce:
      done = h.done_once;
      done_text = "already ran";
      not_yet = "not yet run";
      break;
  }
  const bool due = interrupted || !done;
  const bool failed_last =
      !done && h.last_result == "failed" &&
      (freq != Frequency::kPerInstance || h.last_instance == run.instance_id);
  std::string why;
  if (interrupted) {
    why =
        "interrupted before it finished (a crash, reboot or kill while it "
        "ran); it runs again";
  } else if (failed_last) {
    why = "failed last time (" + ExitWords(h.last_exit) +
          "), so it is not recorded as ran";
  } else {
    why = not_yet;
  }
  std::string changed;
  if (done && !h.digest.empty() && h.digest != digest) {
    switch (freq) {
      case Frequency::kPerInstance:
        changed =
            "; its content changed since then: the new version will not run "
            "for this instance (to run it: flamingo apply --rerun-scripts)";
        break;
      case Frequency::kPerBoot:
        changed =
            "; its content changed since then: the new version runs at the "
            "next boot";
        break;
      case Frequency::kOnce:
        changed =
            "; its content changed since then: it does not run again (once "
            "only)";
        break;
    }
  }

  if (!run.reconcile && run.rerun_scripts && freq == Frequency::kPerInstance) {
    return {true,
            f + ": apply --rerun-scripts" +
                (due ? " (" + why + ")" : std::string()),
            ""};
  }
  // The warning when the new content will never run on its own.
  std::string changed_warning;
  if (!changed.empty() && freq != Frequency::kPerBoot) {
    changed_warning = changed.substr(2);
  }
  if (run.reconcile || !run.boot) {
    if (!due) return {false, f + ": " + done_text + changed, changed_warning};
    std::string mode = run.reconcile
                           ? "apply --reconcile never runs scripts"
                           : "scripts run only at boot (flamingo apply --boot)";
    if (freq == Frequency::kPerInstance && !run.reconcile) {
      mode += " or with flamingo apply --rerun-scripts";
    }
    std::string reason = f + ": " + why + "; not run now: " + mode;
    bool alarming = interrupted || failed_last;
    return {false, reason, alarming ? reason : std::string()};
  }
  if (due) return {true, f + ": " + why, ""};
  return {false, f + ": " + done_text + changed, changed_warning};
}

Status AppendOutputLog(System& sys, std::string_view text) {
  Status st = MakeDirs(sys, ParentPath(kOutputLog), FileAttrs{0755, 0, 0});
  if (!st.ok()) return st;
  return sys.AppendLog(kOutputLog, text, FileAttrs{0600, 0, 0});
}

Status RunScriptJob(System& sys, const ScriptJob& job, const RunInfo& run,
                    Record* record, const std::string& prefix) {
  Status st = MakeDirs(sys, kMarkerDir, FileAttrs{0700, 0, 0});
  if (!st.ok()) return st.WithContext("create " + std::string(kMarkerDir));
  const std::string started = FormatTime(sys.Now());
  const bool boot_scoped = BootScoped(job.freq);
  const std::string marker =
      "script=" + job.label + "\ninstance_id=" + run.instance_id +
      "\nboot_id=" + run.boot_id + "\nstarted=" + started + "\n";
  st = boot_scoped
           ? sys.WriteFileVolatile(job.marker, marker, FileAttrs{0600, 0, 0})
           : sys.WriteFile(job.marker, marker, FileAttrs{0600, 0, 0});
  if (!st.ok()) return st.WithContext("write marker (script not run)");
  auto remove_marker = [&] {
    return boot_scoped ? sys.RemoveVolatile(job.marker)
                       : sys.Remove(job.marker);
  };
  st = AppendOutputLog(sys, "==== flamingo: " + job.label + " (" +
                                FrequencyName(job.freq) + ") instance " +
                                run.instance_id + ", boot " + run.boot_id +
                                ", started " + started + " ====\n");
  if (!st.ok()) {
    (void)remove_marker();
    return st.WithContext("write " + std::string(kOutputLog) +
                          " (script not run)");
  }

  ExecRequest req;
  req.argv = job.argv;
  req.env = ScriptEnvironment(run);
  req.cwd = "/";
  req.timeout_seconds = job.timeout_seconds;
  req.output_path = kOutputLog;
  auto res = job.commands.empty() ? sys.Exec(req) : RunCommands(sys, job, req);

  bool ok = false;
  std::string exit_text;
  std::string failure;
  std::string tail;
  if (!res.ok()) {
    exit_text = "not started";
    failure = "could not be started: " + res.status().message();
  } else {
    tail = res->output_tail;
    if (res->success()) {
      ok = true;
      exit_text = "0";
    } else if (res->timed_out) {
      exit_text = "timeout";
      failure = "timed out after " + std::to_string(job.timeout_seconds) +
                " s and was killed";
    } else if (res->signaled) {
      exit_text = "signal " + std::to_string(res->signal);
      failure = "killed by signal " + std::to_string(res->signal);
    } else {
      exit_text = std::to_string(res->exit_code);
      failure = "failed with exit code " + exit_text;
    }
  }
  Status footer = AppendOutputLog(
      sys, "==== flamingo: " + job.label + ": " +
               (ok ? std::string("exit code 0") : failure) + " ====\n");

  Record& rec = *record;
  rec[prefix + "last_result"] = ok ? "ok" : "failed";
  rec[prefix + "last_exit"] = exit_text;
  rec[prefix + "last_instance_id"] = run.instance_id;
  rec[prefix + "last_boot_id"] = run.boot_id;
  rec[prefix + "last_run"] = started;
  const std::string done_key = prefix + DoneKey(job.freq);
  if (ok) {
    rec[done_key] = job.freq == Frequency::kPerBoot       ? run.boot_id
                    : job.freq == Frequency::kPerInstance ? run.instance_id
                                                          : "true";
    rec[prefix + "digest"] = job.digest;
  } else {
    rec.erase(done_key);
  }
  Status removed = remove_marker();

  if (!ok) {
    return Status::Error(failure + " (output in " + kOutputLog +
                         "); last lines of output:\n" + LastLines(tail, 10));
  }
  if (!removed.ok()) {
    return removed.WithContext(
        "ran, but removing the marker failed (it will be reported as "
        "interrupted)");
  }
  if (!footer.ok()) return footer.WithContext("ran, but");
  return Status::Ok();
}

}  // namespace flamingo
