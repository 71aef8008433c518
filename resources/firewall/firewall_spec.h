// The typed model of the `firewall` cloud-config key (docs/reference/
// firewall.md) and its parser. ParseFirewall checks everything the kernel
// would refuse or we would misread (addresses, prefixes, port ranges,
// protocols, actions, set references, impossible address families) and
// reports each problem with its position; a spec with errors is never
// applied.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schemas/diagnostics.h"
#include "schemas/value.h"

namespace flamingo {
namespace firewall {

enum class ChainName { kInput, kForward, kOutput };
enum class Verdict { kAccept, kDrop, kReject };
enum class Protocol { kAny, kTcp, kUdp, kIcmp, kIcmpv6 };

const char* ChainText(ChainName c);    // "input"
const char* VerdictText(Verdict v);    // "accept"
const char* ProtocolText(Protocol p);  // "tcp"

// An IPv4 or IPv6 address or prefix, normalized (host bits cleared).
struct Prefix {
  int family = 4;                  // 4 or 6
  std::array<uint8_t, 16> addr{};  // first 4 bytes for IPv4
  int length = 32;                 // prefix length
  std::string Text() const;        // "10.0.0.0/8", "192.0.2.1"
  size_t Bytes() const { return family == 4 ? 4 : 16; }
  bool operator==(const Prefix&) const = default;
};

// Parses "192.0.2.1", "10.0.0.0/8", "2001:db8::/32". Host bits set below
// the prefix are an error (a likely typo), reported in *error.
std::optional<Prefix> ParsePrefix(const std::string& text, std::string* error);

struct PortRange {
  uint16_t first = 0;
  uint16_t last = 0;
  bool operator==(const PortRange&) const = default;
};

// Parses a TCP/UDP port number "1".."65535" (digits only).
bool ParsePortNumber(const std::string& s, uint16_t* out);

// An entry of sources/destinations: an inline prefix or "@set".
struct AddressRef {
  std::optional<Prefix> prefix;
  std::string set;  // set name when a reference
};

struct RateLimit {
  uint64_t rate = 0;
  std::string per;  // second | minute | hour | day
  uint64_t per_seconds = 1;
  uint32_t burst = 5;
};

struct LogSpec {
  std::string prefix;
  std::string level = "warn";  // nft level names
  uint32_t level_number = 4;
};

struct Rule {
  size_t index = 0;  // position in firewall.rules
  std::string name;  // optional; the kernel rule's comment
  ChainName chain = ChainName::kInput;
  Verdict action = Verdict::kAccept;
  Protocol protocol = Protocol::kAny;
  std::vector<PortRange> ports;
  std::vector<AddressRef> sources;
  std::vector<AddressRef> destinations;
  std::string interface;  // "" = any; "eth*" matches a prefix
  std::optional<RateLimit> limit;
  std::optional<LogSpec> log;
  std::string origin;  // "user-data:12:5"
};

struct AddressSet {
  std::string name;
  std::vector<Prefix> elements;
};

struct Spec {
  Verdict input_policy = Verdict::kAccept;
  Verdict forward_policy = Verdict::kAccept;
  Verdict output_policy = Verdict::kAccept;
  bool allow_established = true;
  bool allow_loopback = true;
  bool allow_neighbor_discovery = true;
  bool keep_ssh_open = true;
  bool log_dropped = false;
  std::vector<AddressSet> sets;  // in name order
  std::vector<Rule> rules;
  std::string origin;

  const AddressSet* FindSet(const std::string& name) const;
};

// Parses the value of the `firewall` key. Returns nullopt (with errors in
// diags) when anything is wrong.
std::optional<Spec> ParseFirewall(const Value& v, Diagnostics* diags);

}  // namespace firewall
}  // namespace flamingo
