// Netfilter: the nftables facility of a System (engine/system.h), confined
// to the one table flamingo owns, `inet flamingo`. No other table is ever
// read, changed or deleted through this interface.
//
// The table is data (nft::Table): base chains with their policies, named
// interval sets, and rules as decoded kernel expressions (nft::Expr). The
// real implementation (netlink_netfilter.h) speaks netlink through libmnl and
// libnftnl; FakeNetfilter (fake_netfilter.h) keeps a Table in memory.
//
// Drift detection decodes expressions: Read() maps every kernel expression
// of the table's rules to an nft::Expr (known kinds field by field, anything
// else as kOther carrying libnftnl's rendering), so a rule edited by hand
// compares unequal to the rule flamingo would write. The rule comment (the
// NFTNL_UDATA_RULE_COMMENT user data `nft` shows as `comment "..."`) is
// compared too, but is never trusted on its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"

namespace flamingo {
namespace nft {

// The table flamingo owns (family inet).
inline constexpr char kTableName[] = "flamingo";

enum class ExprType {
  kMeta,       // key -> reg
  kPayload,    // key = base (NFT_PAYLOAD_*_HEADER), offset, len -> reg
  kCmp,        // reg op(NFT_CMP_*) data
  kBitwise,    // reg = (reg & data) ^ data2, len bytes
  kRange,      // reg op(NFT_RANGE_*) data..data2
  kLookup,     // reg in set `name`; op = NFT_LOOKUP_F_INV when inverted
  kCt,         // conntrack key -> reg
  kImmediate,  // verdict (NF_ACCEPT, NF_DROP)
  kLimit,      // rate per unit seconds, burst packets
  kLog,        // name = prefix, level = syslog level
  kReject,     // level = type (NFT_REJECT_*), code
  kCounter,    // values are not compared
  kOther,      // not understood: name = expression name, text = rendering
};

// One kernel expression. Only the fields of its type are meaningful; the
// others stay zero/empty, so defaulted equality compares what matters.
struct Expr {
  ExprType type = ExprType::kOther;
  uint32_t key = 0;
  uint32_t reg = 0;
  uint32_t offset = 0;
  uint32_t len = 0;
  uint32_t op = 0;
  std::string data;   // raw bytes, as in the kernel's register
  std::string data2;  // raw bytes
  std::string name;
  int32_t verdict = 0;
  uint64_t rate = 0;
  uint64_t unit = 0;
  uint32_t burst = 0;
  uint32_t level = 0;
  uint32_t code = 0;
  std::string text;

  bool operator==(const Expr&) const = default;

  static Expr Meta(uint32_t key);
  static Expr Payload(uint32_t base, uint32_t offset, uint32_t len);
  static Expr Cmp(uint32_t op, std::string data);
  static Expr Bitwise(std::string mask, std::string xor_bytes);
  static Expr Range(uint32_t op, std::string from, std::string to);
  static Expr Lookup(std::string set, bool invert = false);
  static Expr Ct(uint32_t key);
  static Expr Verdict(int32_t verdict);
  static Expr Limit(uint64_t rate, uint64_t unit_seconds, uint32_t burst);
  static Expr Log(std::string prefix, uint32_t level);
  static Expr Reject(uint32_t type, uint32_t code);
  static Expr Counter();
};

// A base chain (type filter). hook is NF_INET_LOCAL_IN / FORWARD / LOCAL_OUT,
// policy NF_ACCEPT or NF_DROP.
struct Chain {
  std::string name;
  uint32_t hook = 0;
  int32_t priority = 0;
  uint32_t policy = 1;  // NF_ACCEPT
  std::string type = "filter";
  bool operator==(const Chain&) const = default;
};

// A closed interval of keys, raw network-order bytes, first <= last.
struct Interval {
  std::string first;
  std::string last;
  bool operator==(const Interval&) const = default;
};

// A named set with the interval flag (NFT_SET_INTERVAL), sorted disjoint,
// non-adjacent intervals. key_type is nft's datatype id (kTypeIpv4Addr...).
struct Set {
  std::string name;
  uint32_t key_type = 0;
  uint32_t key_len = 0;
  std::vector<Interval> elements;
  bool operator==(const Set&) const = default;
};

inline constexpr uint32_t kTypeIpv4Addr = 7;      // nft "ipv4_addr"
inline constexpr uint32_t kTypeIpv6Addr = 8;      // nft "ipv6_addr"
inline constexpr uint32_t kTypeInetService = 13;  // nft "inet_service"

struct Rule {
  std::string chain;
  std::vector<Expr> exprs;
  std::string comment;  // at most 127 bytes (the kernel's user data limit)
  bool operator==(const Rule&) const = default;
};

// The whole table. Rules are in chain order and, within a chain, in the
// order the kernel evaluates them; chains and sets are sorted by name.
struct Table {
  bool exists = false;
  std::vector<Chain> chains;
  std::vector<Set> sets;
  std::vector<Rule> rules;
  bool operator==(const Table&) const = default;

  // Puts chains and sets in name order and rules in chain-name order
  // (stable), the canonical form Read() returns.
  void Normalize();
  const Set* FindSet(const std::string& name) const;
};

// Human-readable renderings (plan output, error messages). DescribeExpr is
// close to `nft --debug=netlink`: "[ payload load 2b @ transport + 2 => reg 1
// ]".
std::string DescribeExpr(const Expr& e);
std::string DescribeExprs(const std::vector<Expr>& exprs);
// "10.0.0.0/8", "192.0.2.1-192.0.2.9", "2001:db8::/32", "22", "9100-9102".
std::string DescribeInterval(uint32_t key_type, const Interval& iv);
std::string DescribeElements(const Set& set);
// The prefix length when [first, last] is exactly one CIDR block, else -1.
int PrefixLength(const std::string& first, const std::string& last);
// Checks a table before it is sent: names, sets referenced by lookups exist,
// interval sizes match key_len, comments fit. Errors name the rule.
Status CheckTable(const Table& t);
// "rule 3 of chain input ("https")": how errors name a rule. index is
// 0-based within its chain.
std::string RuleLabel(const Rule& r, size_t index_in_chain);

}  // namespace nft

class Netfilter {
 public:
  virtual ~Netfilter() = default;
  // Reads table inet flamingo: exists=false (and nothing else) when absent.
  virtual Result<nft::Table> Read() const = 0;
  // Replaces inet flamingo with `desired` in one transaction (one
  // NFNL_MSG_BATCH): the old table is deleted if present and the new one
  // created with its chains, sets and rules. desired.exists=false deletes
  // the table. If the kernel refuses any part, nothing changes and the
  // error names the refused rule (or chain, set). REQUIRES: CheckTable ok.
  virtual Status Replace(const nft::Table& desired) = 0;
};

}  // namespace flamingo
