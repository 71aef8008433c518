#include "resources/host_keys.h"

#include <algorithm>
#include <memory>

#include "engine/text.h"
#include "resources/account_db.h"
#include "resources/script_run.h"

namespace flamingo {
namespace {

const std::vector<std::string> kDefaultTypes = {"rsa", "ecdsa", "ed25519"};

std::string KeyPath(const std::string& type) {
  return std::string(kSshDir) + "/ssh_host_" + type + "_key";
}

// Where a new key of `type` is made before it is renamed over KeyPath.
std::string TempKeyPath(const std::string& type) {
  return std::string(kSshDir) + "/.flamingo-new-ssh_host_" + type + "_key";
}

// A list of types as a plan field holds it ("rsa, ecdsa"; "" for none).
std::vector<std::string> Types(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (std::string_view t : SplitString(text, ", ")) out.emplace_back(t);
  return out;
}

// The key types found in /etc/ssh (ssh_host_TYPE_key), sorted.
Result<std::vector<std::string>> PresentTypes(const SystemReader& sys) {
  auto names = sys.ListDir(kSshDir);
  if (!names.ok()) return names.status();
  std::vector<std::string> types;
  const std::string prefix = "ssh_host_", suffix = "_key";
  for (const std::string& n : *names) {
    if (n.size() > prefix.size() + suffix.size() && n.rfind(prefix, 0) == 0 &&
        n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
      types.push_back(
          n.substr(prefix.size(), n.size() - prefix.size() - suffix.size()));
    }
  }
  return types;
}

// Whether ssh-keygen is in the target's script PATH, where Exec finds it.
Result<bool> HasKeygen(const SystemReader& sys) {
  for (std::string_view dir : SplitString(kScriptPath, ":")) {
    auto st = sys.Stat(std::string(dir) + "/ssh-keygen");
    if (!st.ok()) return st.status();
    if (st->has_value() && (*st)->type != FileType::kDirectory) return true;
  }
  return false;
}

// The key types `ssh_keys` may give (cloud-init's schema).
bool GivenType(std::string_view t) {
  return t == "rsa" || t == "ecdsa" || t == "ed25519";
}

std::string WithNewline(std::string text) {
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text;
}

// Removes a key, then its .pub (ok when they are not there); stops at the
// first error.
Status RemoveKeyPair(System& sys, const std::string& key) {
  Status s = sys.Remove(key);
  return s.ok() ? sys.Remove(key + ".pub") : s;
}

// Best effort, after a failure: removes both files of a temporary pair
// whatever happens to either (the failure is what gets reported).
void DiscardKeyPair(System& sys, const std::string& tmp) {
  (void)sys.Remove(tmp);
  (void)sys.Remove(tmp + ".pub");
}

// Renames the complete pair at `tmp` over `key` and its .pub.
Status RenameKeyPair(System& sys, const std::string& tmp,
                     const std::string& key) {
  Status s = sys.RenameFile(tmp, key);
  return s.ok() ? sys.RenameFile(tmp + ".pub", key + ".pub") : s;
}

}  // namespace

void CompileHostKeys(const CompileInput& in, CompileOutput* out,
                     Diagnostics* diags) {
  bool delete_keys = true;
  std::vector<std::string> types = kDefaultTypes;
  std::string origin;
  std::map<std::string, HostKeysResource::GivenKey> given;
  if (in.config.is_map()) {
    // Types and values are the schema's to check (schemas/keys).
    if (const Value* d = in.config.Get("ssh_deletekeys");
        d != nullptr && d->is_bool()) {
      delete_keys = d->as_bool();
      origin = d->Origin();
    }
    if (const Value* g = in.config.Get("ssh_genkeytypes");
        g != nullptr && g->is_list()) {
      types.clear();
      for (const Value& t : g->items()) {
        if (t.is_string() &&
            std::find(types.begin(), types.end(), t.text()) == types.end()) {
          types.push_back(t.text());
        }
      }
      origin = g->Origin();
    }
    if (const Value* k = in.config.Get("ssh_keys");
        k != nullptr && k->is_map()) {
      for (const auto& [name, v] : k->entries()) {
        size_t cut = name.rfind('_');
        if (!v.is_string() || cut == std::string::npos) continue;
        std::string type = name.substr(0, cut);
        std::string_view part = std::string_view(name).substr(cut + 1);
        if (!GivenType(type)) continue;  // the schema says what is wrong
        if (part == "private") {
          given[type].private_key = v.text();
        } else if (part == "public") {
          given[type].public_key = v.text();
        }  // TYPE_certificate: not implemented (the schema warns)
      }
      for (auto it = given.begin(); it != given.end();) {
        if (it->second.private_key.empty()) {
          const Value* at = k->Get(it->first + "_public");
          diags->Warning(at != nullptr ? *at : *k, "ssh_keys." + it->first +
                                                       ": a public key without "
                                                       "its private key (" +
                                                       it->first +
                                                       "_private) is ignored");
          it = given.erase(it);
        } else {
          ++it;
        }
      }
      if (!given.empty()) origin = k->Origin();
    }
  }
  out->Add(std::make_unique<HostKeysResource>(delete_keys, std::move(types),
                                              origin, std::move(given)));
}

Result<Observation> HostKeysResource::Observe(
    const SystemReader& sys, const ResourceContext& ctx) const {
  Observation obs;
  obs.exists = true;
  if (const Record* r = ctx.record(); r != nullptr) {
    if (auto it = r->find("instance_id"); it != r->end()) {
      obs.fields["made_for"] = it->second;
      // Made for this instance: nothing else to look at (Diff says so).
      if (it->second == ctx.run().instance_id) return obs;
    }
  }
  auto dir = sys.Stat(kSshDir);
  if (!dir.ok()) return dir.status();
  if (!dir->has_value() || (*dir)->type != FileType::kDirectory) {
    obs.fields["skip"] = "no /etc/ssh in the target: OpenSSH is not installed";
    return obs;
  }
  if (given_.empty()) {  // given keys need ssh-keygen only to derive
    auto keygen = HasKeygen(sys);
    if (!keygen.ok()) return keygen.status();
    if (!*keygen) {
      obs.fields["skip"] = "no ssh-keygen in the target";
      return obs;
    }
  }
  auto present = PresentTypes(sys);
  if (!present.ok()) return present.status();
  obs.fields["present"] = JoinStrings(*present, ", ");
  return obs;
}

Change HostKeysResource::Diff(const Observation& observed,
                              const ResourceContext& ctx) const {
  Change c = MakeChange(Action::kNone);
  auto field = [&](const char* key) {
    auto it = observed.fields.find(key);
    return it == observed.fields.end() ? std::string() : it->second;
  };
  const RunInfo& run = ctx.run();
  if (!run.boot || run.reconcile) {
    c.reason = "host keys are made at boot, once per instance";
    return c;
  }
  if (!field("skip").empty()) {
    c.reason = field("skip") + ": host keys left alone";
    return c;
  }
  if (run.instance_id.empty() || field("made_for") == run.instance_id) {
    c.reason = "once per instance: made for instance " + field("made_for");
    return c;
  }
  std::vector<std::string> present = Types(field("present"));
  std::vector<std::string> make, install, remove;
  if (!given_.empty()) {  // given keys: nothing is generated
    for (const auto& entry : given_) install.push_back(entry.first);
  } else {
    for (const std::string& t : types_) {
      bool have = std::find(present.begin(), present.end(), t) != present.end();
      if (delete_keys_ || !have) make.push_back(t);
    }
  }
  if (delete_keys_) {
    const std::vector<std::string>& kept = given_.empty() ? types_ : install;
    for (const std::string& t : present) {
      if (std::find(kept.begin(), kept.end(), t) == kept.end()) {
        remove.push_back(t);
      }
    }
  }
  c.action = Action::kRun;
  c.reason = "once per instance: not yet made for instance " + run.instance_id;
  if (!make.empty())
    c.fields.push_back({"generate", std::nullopt, JoinStrings(make, ", ")});
  if (!install.empty())
    c.fields.push_back({"install", std::nullopt, JoinStrings(install, ", ")});
  if (!remove.empty())
    c.fields.push_back({"remove", JoinStrings(remove, ", "), std::nullopt});
  return c;
}

Status HostKeysResource::Apply(System& sys, const Change& change,
                               const ResourceContext& ctx,
                               Record* record) const {
  if (change.action != Action::kRun) return Status::Ok();
  FileAttrs private_attrs{0600, 0, 0};
  auto db = AccountDb::Load(sys);
  if (!db.ok()) return db.status();
  if (auto gid = db->GroupId("ssh_keys")) private_attrs = {0640, 0, *gid};
  for (const FieldChange& f : change.fields) {
    if (f.name == "generate") {
      for (const std::string& type : Types(*f.after)) {
        // Made under a temporary name first: a failure keeps the old key.
        const std::string tmp = TempKeyPath(type);
        Status s = RemoveKeyPair(sys, tmp);
        if (!s.ok()) return s;
        ExecRequest req;
        // Found in the environment's PATH, as Observe looked for it.
        req.argv = {"ssh-keygen", "-q", "-t", type, "-N", "", "-f", tmp};
        req.env = ScriptEnvironment(ctx.run());
        auto res = sys.Exec(req);
        if (!res.ok()) return res.status().WithContext("ssh-keygen -t " + type);
        if (!res->success()) {
          DiscardKeyPair(sys, tmp);
          return Status::Error("ssh-keygen -t " + type +
                               " failed: " + TrimSpace(res->output_tail));
        }
        // Renamed into place: the key never passes through this process,
        // and keeps the security context ssh-keygen's file got.
        s = sys.SetAttrs(tmp, private_attrs);
        if (s.ok()) s = sys.SetAttrs(tmp + ".pub", FileAttrs{0644, 0, 0});
        if (s.ok()) s = RenameKeyPair(sys, tmp, KeyPath(type));
        if (!s.ok()) return s;
      }
    } else if (f.name == "install") {
      for (const std::string& type : Types(*f.after)) {
        Status s = Install(sys, ctx, type, private_attrs);
        if (!s.ok()) return s;
      }
    } else if (f.name == "remove") {
      for (const std::string& type : Types(*f.before)) {
        Status s = RemoveKeyPair(sys, KeyPath(type));
        if (!s.ok()) return s;
      }
    }
  }
  (*record)["instance_id"] = ctx.run().instance_id;
  return Status::Ok();
}

Status HostKeysResource::Install(System& sys, const ResourceContext& ctx,
                                 const std::string& type,
                                 const FileAttrs& private_attrs) const {
  auto it = given_.find(type);
  if (it == given_.end()) return Status::Error("no key given for " + type);
  // Both files are written under temporary names and renamed into place
  // once complete, as generated keys are: a private key from which no
  // public key can be derived never replaces a working one.
  const std::string tmp = TempKeyPath(type);
  Status s = RemoveKeyPair(sys, tmp);
  if (s.ok()) {
    s = sys.WriteFile(tmp, WithNewline(it->second.private_key), private_attrs);
  }
  if (s.ok() && !it->second.public_key.empty()) {
    s = sys.WriteFile(tmp + ".pub", WithNewline(it->second.public_key),
                      FileAttrs{0644, 0, 0});
  } else if (s.ok()) {
    // Derived from the private key, as cloud-init does.
    ExecRequest req;
    req.argv = {"ssh-keygen", "-y", "-f", tmp};
    req.env = ScriptEnvironment(ctx.run());
    req.output_path = tmp + ".pub";
    auto res = sys.Exec(req);
    const std::string what = "ssh-keygen -y (ssh_keys." + type + "_private)";
    if (!res.ok()) {
      s = res.status().WithContext(what);
    } else if (!res->success()) {
      s = Status::Error(what + " failed: " + TrimSpace(res->output_tail));
    } else {
      s = sys.SetAttrs(tmp + ".pub", FileAttrs{0644, 0, 0});
    }
  }
  if (s.ok()) s = RenameKeyPair(sys, tmp, KeyPath(type));
  if (!s.ok()) DiscardKeyPair(sys, tmp);
  return s;
}

}  // namespace flamingo
