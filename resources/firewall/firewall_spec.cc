#include "resources/firewall/firewall_spec.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "engine/text.h"

namespace flamingo {
namespace firewall {

const char* ChainText(ChainName c) {
  switch (c) {
    case ChainName::kInput:
      return "input";
    case ChainName::kForward:
      return "forward";
    case ChainName::kOutput:
      return "output";
  }
  return "?";
}

const char* VerdictText(Verdict v) {
  switch (v) {
    case Verdict::kAccept:
      return "accept";
    case Verdict::kDrop:
      return "drop";
    case Verdict::kReject:
      return "reject";
  }
  return "?";
}

const char* ProtocolText(Protocol p) {
  switch (p) {
    case Protocol::kAny:
      return "any";
    case Protocol::kTcp:
      return "tcp";
    case Protocol::kUdp:
      return "udp";
    case Protocol::kIcmp:
      return "icmp";
    case Protocol::kIcmpv6:
      return "icmpv6";
  }
  return "?";
}

std::string Prefix::Text() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  inet_ntop(family == 4 ? AF_INET : AF_INET6, addr.data(), buf, sizeof(buf));
  std::string s = buf;
  int full = family == 4 ? 32 : 128;
  if (length != full) s += "/" + std::to_string(length);
  return s;
}

std::optional<Prefix> ParsePrefix(const std::string& text, std::string* error) {
  std::string addr = text;
  std::string len_text;
  size_t slash = text.find('/');
  if (slash != std::string::npos) {
    addr = text.substr(0, slash);
    len_text = text.substr(slash + 1);
  }
  Prefix p;
  if (inet_pton(AF_INET, addr.c_str(), p.addr.data()) == 1) {
    p.family = 4;
  } else if (inet_pton(AF_INET6, addr.c_str(), p.addr.data()) == 1) {
    p.family = 6;
  } else {
    *error = "\"" + text + "\" is not an IPv4 or IPv6 address or prefix";
    return std::nullopt;
  }
  int full = p.family == 4 ? 32 : 128;
  p.length = full;
  if (slash != std::string::npos) {
    if (len_text.empty() || len_text.size() > 3 ||
        !std::all_of(len_text.begin(), len_text.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      *error = "\"" + text + "\": prefix length must be a number";
      return std::nullopt;
    }
    p.length = std::stoi(len_text);
    if (p.length > full) {
      *error = "\"" + text + "\": prefix length " + len_text +
               " is out of range (0-" + std::to_string(full) + ")";
      return std::nullopt;
    }
  }
  Prefix net = p;
  for (int i = p.length; i < full; ++i) {
    net.addr[static_cast<size_t>(i / 8)] &=
        static_cast<uint8_t>(~(0x80 >> (i % 8)));
  }
  if (net.addr != p.addr) {
    *error =
        "\"" + text + "\" has host bits set (did you mean " + net.Text() + "?)";
    return std::nullopt;
  }
  return p;
}

const AddressSet* Spec::FindSet(const std::string& name) const {
  for (const auto& s : sets) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool ParsePortNumber(const std::string& s, uint16_t* out) {
  if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return false;
  }
  int n = std::stoi(s);
  if (n < 1 || n > 65535) return false;
  *out = static_cast<uint16_t>(n);
  return true;
}

namespace {

bool CheckKeys(const Value& map, const std::set<std::string>& allowed,
               Diagnostics* diags) {
  bool ok = true;
  for (const auto& [key, value] : map.entries()) {
    if (!allowed.count(key)) {
      diags->Error(value, "unknown key \"" + key + "\" (expected one of: " +
                              JoinStrings(allowed, ", ") + ")");
      ok = false;
    }
  }
  return ok;
}

// Reads an optional bool; false (with an error) when it is not a bool.
bool GetBool(const Value& map, const char* key, bool* out, Diagnostics* diags) {
  const Value* v = map.Get(key);
  if (v == nullptr || v->is_null()) return true;
  if (!v->is_bool()) {
    diags->Error(*v, "expected true or false");
    return false;
  }
  *out = v->as_bool();
  return true;
}

bool GetString(const Value& v, std::string* out, Diagnostics* diags) {
  if (!v.is_string()) {
    diags->Error(
        v, std::string("expected a string, got ") + Value::TypeName(v.type()));
    return false;
  }
  *out = v.text();
  return true;
}

bool GetPolicy(const Value& map, const char* key, Verdict* out,
               Diagnostics* diags) {
  const Value* v = map.Get(key);
  if (v == nullptr || v->is_null()) return true;
  std::string s;
  if (!GetString(*v, &s, diags)) return false;
  if (s == "accept") {
    *out = Verdict::kAccept;
  } else if (s == "drop") {
    *out = Verdict::kDrop;
  } else {
    diags->Error(*v, "unknown policy \"" + s +
                         "\" (expected accept or drop; for reject, end the "
                         "chain with a reject rule)");
    return false;
  }
  return true;
}

// Comments and log prefixes go into the nftables file between quotes.
bool CheckText(const Value& v, const std::string& s, size_t max,
               const char* what, Diagnostics* diags) {
  if (s.size() > max) {
    diags->Error(v, std::string(what) + " is longer than " +
                        std::to_string(max) + " bytes");
    return false;
  }
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      diags->Error(v, std::string(what) +
                          " must not contain quotes, backslashes or control "
                          "characters");
      return false;
    }
  }
  return true;
}

bool ParsePorts(const Value& v, std::vector<PortRange>* out,
                Diagnostics* diags) {
  if (!v.is_list()) {
    diags->Error(v, std::string("expected a list of ports, got ") +
                        Value::TypeName(v.type()));
    return false;
  }
  bool ok = true;
  for (const auto& item : v.items()) {
    std::string text = item.ScalarText();
    if (!item.is_int() && !item.is_string()) {
      diags->Error(item, "expected a port number or a range \"first-last\"");
      ok = false;
      continue;
    }
    PortRange r;
    size_t dash = text.find('-');
    std::string a = dash == std::string::npos ? text : text.substr(0, dash);
    std::string b = dash == std::string::npos ? text : text.substr(dash + 1);
    if (!ParsePortNumber(a, &r.first) || !ParsePortNumber(b, &r.last)) {
      diags->Error(item, "port \"" + text +
                             "\" is out of range (1-65535, or a range "
                             "\"first-last\")");
      ok = false;
      continue;
    }
    if (r.last < r.first) {
      diags->Error(item, "port range \"" + text +
                             "\" is reversed (did you mean " + b + "-" + a +
                             "?)");
      ok = false;
      continue;
    }
    out->push_back(r);
  }
  return ok;
}

bool ParseAddresses(const Value& v, const Spec& spec,
                    std::vector<AddressRef>* out, Diagnostics* diags) {
  if (!v.is_list()) {
    diags->Error(v, std::string("expected a list of addresses, got ") +
                        Value::TypeName(v.type()));
    return false;
  }
  bool ok = true;
  for (const auto& item : v.items()) {
    if (!item.is_string()) {
      diags->Error(item, "expected an address, a prefix or @set, got " +
                             std::string(Value::TypeName(item.type())));
      ok = false;
      continue;
    }
    const std::string& s = item.text();
    AddressRef ref;
    if (!s.empty() && s[0] == '@') {
      ref.set = s.substr(1);
      if (spec.FindSet(ref.set) == nullptr) {
        diags->Error(item,
                     "no set named \"" + ref.set + "\" under firewall.sets");
        ok = false;
        continue;
      }
    } else {
      std::string error;
      ref.prefix = ParsePrefix(s, &error);
      if (!ref.prefix) {
        diags->Error(item, error);
        ok = false;
        continue;
      }
    }
    out->push_back(std::move(ref));
  }
  return ok;
}

bool ValidInterface(const std::string& s) {
  if (s.empty() || s.size() > 15) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '*' && i == s.size() - 1 && i > 0) continue;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' &&
        c != '_' && c != '@') {
      return false;
    }
  }
  return true;
}

bool ParseLimit(const Value& v, RateLimit* out, Diagnostics* diags) {
  if (!v.is_map()) {
    diags->Error(v, "expected a map {rate, per, burst}");
    return false;
  }
  bool ok = CheckKeys(v, {"rate", "per", "burst"}, diags);
  const Value* rate = v.Get("rate");
  if (rate == nullptr || !rate->is_int() || rate->as_int() < 1) {
    diags->Error(rate != nullptr ? *rate : v,
                 "limit.rate must be a whole number of packets, at least 1");
    ok = false;
  } else {
    out->rate = static_cast<uint64_t>(rate->as_int());
  }
  out->per = "second";
  if (const Value* per = v.Get("per"); per != nullptr) {
    std::string s;
    if (!GetString(*per, &s, diags)) return false;
    static const std::pair<const char*, uint64_t> kUnits[] = {
        {"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400}};
    bool found = false;
    for (const auto& [name, secs] : kUnits) {
      if (s == name) {
        out->per = name;
        out->per_seconds = secs;
        found = true;
      }
    }
    if (!found) {
      diags->Error(*per, "unknown unit \"" + s +
                             "\" (expected second, minute, hour or day)");
      ok = false;
    }
  }
  if (const Value* burst = v.Get("burst"); burst != nullptr) {
    if (!burst->is_int() || burst->as_int() < 1 || burst->as_int() > 1000000) {
      diags->Error(*burst, "limit.burst must be a whole number, 1-1000000");
      ok = false;
    } else {
      out->burst = static_cast<uint32_t>(burst->as_int());
    }
  }
  return ok;
}

bool ParseLog(const Value& v, const std::string& default_prefix,
              std::optional<LogSpec>* out, Diagnostics* diags) {
  if (v.is_bool()) {
    if (v.as_bool()) *out = LogSpec{default_prefix};
    return true;
  }
  if (!v.is_map()) {
    diags->Error(v, "expected true, false or a map {prefix, level}");
    return false;
  }
  bool ok = CheckKeys(v, {"prefix", "level"}, diags);
  LogSpec log{default_prefix};
  if (const Value* p = v.Get("prefix"); p != nullptr) {
    if (!GetString(*p, &log.prefix, diags) ||
        !CheckText(*p, log.prefix, 127, "log.prefix", diags)) {
      ok = false;
    }
  }
  if (const Value* l = v.Get("level"); l != nullptr) {
    static const char* kLevels[] = {"emerg", "alert",  "crit", "err",
                                    "warn",  "notice", "info", "debug"};
    std::string s;
    if (!GetString(*l, &s, diags)) return false;
    bool found = false;
    for (uint32_t i = 0; i < 8; ++i) {
      if (s == kLevels[i]) {
        log.level = s;
        log.level_number = i;
        found = true;
      }
    }
    if (!found) {
      diags->Error(*l, "unknown log level \"" + s +
                           "\" (expected emerg, alert, crit, err, warn, "
                           "notice, info or debug)");
      ok = false;
    }
  }
  if (ok) *out = log;
  return ok;
}

// Which address families (bit 4 = IPv4, bit 6 = IPv6) a list can match.
unsigned Families(const std::vector<AddressRef>& refs, const Spec& spec) {
  if (refs.empty()) return (1u << 4) | (1u << 6);
  unsigned f = 0;
  for (const auto& r : refs) {
    if (r.prefix) {
      f |= 1u << r.prefix->family;
    } else if (const AddressSet* s = spec.FindSet(r.set)) {
      for (const auto& p : s->elements) f |= 1u << p.family;
    }
  }
  return f;
}

std::optional<Rule> ParseRule(const Value& v, size_t index, const Spec& spec,
                              Diagnostics* diags) {
  if (!v.is_map()) {
    diags->Error(v, std::string("expected a rule (a map), got ") +
                        Value::TypeName(v.type()));
    return std::nullopt;
  }
  bool ok = CheckKeys(v,
                      {"name", "chain", "action", "protocol", "ports",
                       "sources", "destinations", "interface", "limit", "log"},
                      diags);
  Rule r;
  r.index = index;
  r.origin = v.Origin();
  if (const Value* x = v.Get("name"); x != nullptr) {
    if (!GetString(*x, &r.name, diags) ||
        !CheckText(*x, r.name, 100, "name", diags)) {
      ok = false;
    }
  }
  if (const Value* x = v.Get("chain"); x != nullptr) {
    std::string s;
    if (!GetString(*x, &s, diags)) {
      ok = false;
    } else if (s == "input") {
      r.chain = ChainName::kInput;
    } else if (s == "forward") {
      r.chain = ChainName::kForward;
    } else if (s == "output") {
      r.chain = ChainName::kOutput;
    } else {
      diags->Error(*x, "unknown chain \"" + s +
                           "\" (expected input, forward or output)");
      ok = false;
    }
  }
  if (const Value* x = v.Get("action"); x == nullptr) {
    diags->Error(v, "a rule needs an action (accept, drop or reject)");
    ok = false;
  } else {
    std::string s;
    if (!GetString(*x, &s, diags)) {
      ok = false;
    } else if (s == "accept") {
      r.action = Verdict::kAccept;
    } else if (s == "drop") {
      r.action = Verdict::kDrop;
    } else if (s == "reject") {
      r.action = Verdict::kReject;
    } else {
      diags->Error(
          *x, "unknown action \"" + s + "\" (expected accept, drop or reject)");
      ok = false;
    }
  }
  bool proto_bad = false;
  if (const Value* proto_value = v.Get("protocol"); proto_value != nullptr) {
    std::string s;
    if (!GetString(*proto_value, &s, diags)) {
      ok = false;
      proto_bad = true;
    } else if (s == "tcp") {
      r.protocol = Protocol::kTcp;
    } else if (s == "udp") {
      r.protocol = Protocol::kUdp;
    } else if (s == "icmp") {
      r.protocol = Protocol::kIcmp;
    } else if (s == "icmpv6") {
      r.protocol = Protocol::kIcmpv6;
    } else if (s == "any") {
      r.protocol = Protocol::kAny;
    } else {
      diags->Error(*proto_value,
                   "unknown protocol \"" + s +
                       "\" (expected tcp, udp, icmp, icmpv6 or any)");
      ok = false;
      proto_bad = true;
    }
  }
  if (const Value* x = v.Get("ports"); x != nullptr) {
    if (!ParsePorts(*x, &r.ports, diags)) {
      ok = false;
    } else if (!r.ports.empty() && r.protocol != Protocol::kTcp &&
               r.protocol != Protocol::kUdp && !proto_bad) {
      diags->Error(*x, std::string("ports need protocol tcp or udp (this "
                                   "rule's protocol is ") +
                           ProtocolText(r.protocol) + ")");
      ok = false;
    }
  }
  if (const Value* x = v.Get("sources"); x != nullptr) {
    if (!ParseAddresses(*x, spec, &r.sources, diags)) ok = false;
  }
  if (const Value* x = v.Get("destinations"); x != nullptr) {
    if (!ParseAddresses(*x, spec, &r.destinations, diags)) ok = false;
  }
  if (const Value* x = v.Get("interface"); x != nullptr) {
    if (!GetString(*x, &r.interface, diags)) {
      ok = false;
    } else if (!ValidInterface(r.interface)) {
      diags->Error(*x, "\"" + r.interface +
                           "\" is not an interface name (1-15 characters: "
                           "letters, digits, . - _ @, optionally ending in *)");
      ok = false;
    }
  }
  if (const Value* x = v.Get("limit"); x != nullptr) {
    RateLimit limit;
    if (!ParseLimit(*x, &limit, diags)) {
      ok = false;
    } else {
      r.limit = limit;
    }
  }
  if (const Value* x = v.Get("log"); x != nullptr) {
    std::string prefix =
        "flamingo " +
        (r.name.empty() ? "rule " + std::to_string(index) : r.name) + ": ";
    if (prefix.size() > 127) prefix.resize(127);
    if (!ParseLog(*x, prefix, &r.log, diags)) ok = false;
  }
  if (ok) {
    unsigned f = Families(r.sources, spec) & Families(r.destinations, spec);
    if (r.protocol == Protocol::kIcmp) f &= 1u << 4;
    if (r.protocol == Protocol::kIcmpv6) f &= 1u << 6;
    if (f == 0) {
      diags->Error(v,
                   "this rule can match no packet: its sources, destinations "
                   "and protocol have no address family (IPv4/IPv6) in common");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return r;
}

bool ParseSets(const Value& v, Spec* spec, Diagnostics* diags) {
  if (!v.is_map()) {
    diags->Error(v, std::string("expected a map of set name to addresses, "
                                "got ") +
                        Value::TypeName(v.type()));
    return false;
  }
  bool ok = true;
  for (const auto& [name, list] : v.entries()) {
    bool good_name = !name.empty() && name.size() <= 32 &&
                     std::isalpha(static_cast<unsigned char>(name[0]));
    for (char c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
        good_name = false;
      }
    }
    if (!good_name) {
      diags->Error(list, "set name \"" + name +
                             "\" must start with a letter and contain only "
                             "letters, digits and _ (at most 32)");
      ok = false;
      continue;
    }
    AddressSet set;
    set.name = name;
    if (!list.is_list()) {
      diags->Error(list, "expected a list of addresses and prefixes");
      ok = false;
      continue;
    }
    for (const auto& item : list.items()) {
      std::string error;
      std::optional<Prefix> p;
      if (item.is_string()) p = ParsePrefix(item.text(), &error);
      if (!item.is_string()) error = "expected an address or prefix";
      if (!p) {
        diags->Error(item, error);
        ok = false;
        continue;
      }
      set.elements.push_back(*p);
    }
    spec->sets.push_back(std::move(set));
  }
  std::sort(
      spec->sets.begin(), spec->sets.end(),
      [](const AddressSet& a, const AddressSet& b) { return a.name < b.name; });
  return ok;
}

}  // namespace

std::optional<Spec> ParseFirewall(const Value& v, Diagnostics* diags) {
  if (!v.is_map()) {
    diags->Error(
        v, std::string("expected a map, got ") + Value::TypeName(v.type()));
    return std::nullopt;
  }
  Spec spec;
  spec.origin = v.Origin();
  bool ok = CheckKeys(
      v,
      {"input_policy", "forward_policy", "output_policy", "allow_established",
       "allow_loopback", "allow_neighbor_discovery", "keep_ssh_open",
       "log_dropped", "sets", "rules"},
      diags);
  ok &= GetPolicy(v, "input_policy", &spec.input_policy, diags);
  ok &= GetPolicy(v, "forward_policy", &spec.forward_policy, diags);
  ok &= GetPolicy(v, "output_policy", &spec.output_policy, diags);
  ok &= GetBool(v, "allow_established", &spec.allow_established, diags);
  ok &= GetBool(v, "allow_loopback", &spec.allow_loopback, diags);
  ok &= GetBool(v, "allow_neighbor_discovery", &spec.allow_neighbor_discovery,
                diags);
  ok &= GetBool(v, "keep_ssh_open", &spec.keep_ssh_open, diags);
  ok &= GetBool(v, "log_dropped", &spec.log_dropped, diags);
  if (const Value* sets = v.Get("sets"); sets != nullptr && !sets->is_null()) {
    ok &= ParseSets(*sets, &spec, diags);
  }
  if (const Value* rules = v.Get("rules");
      rules != nullptr && !rules->is_null()) {
    if (!rules->is_list()) {
      diags->Error(*rules, std::string("expected a list of rules, got ") +
                               Value::TypeName(rules->type()));
      ok = false;
    } else {
      for (size_t i = 0; i < rules->items().size(); ++i) {
        auto r = ParseRule(rules->items()[i], i, spec, diags);
        if (r) {
          spec.rules.push_back(std::move(*r));
        } else {
          ok = false;
        }
      }
    }
  }
  if (!ok) return std::nullopt;
  return spec;
}

}  // namespace firewall
}  // namespace flamingo
