#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "system/nft/netfilter.h"

namespace flamingo {
namespace nft {

Expr Expr::Meta(uint32_t key) {
  Expr e;
  e.type = ExprType::kMeta;
  e.key = key;
  e.reg = NFT_REG_1;
  return e;
}

Expr Expr::Payload(uint32_t base, uint32_t offset, uint32_t len) {
  Expr e;
  e.type = ExprType::kPayload;
  e.key = base;
  e.offset = offset;
  e.len = len;
  e.reg = NFT_REG_1;
  return e;
}

Expr Expr::Cmp(uint32_t op, std::string data) {
  Expr e;
  e.type = ExprType::kCmp;
  e.op = op;
  e.reg = NFT_REG_1;
  e.data = std::move(data);
  return e;
}

Expr Expr::Bitwise(std::string mask, std::string xor_bytes) {
  Expr e;
  e.type = ExprType::kBitwise;
  e.reg = NFT_REG_1;
  e.len = static_cast<uint32_t>(mask.size());
  e.data = std::move(mask);
  e.data2 = std::move(xor_bytes);
  return e;
}

Expr Expr::Range(uint32_t op, std::string from, std::string to) {
  Expr e;
  e.type = ExprType::kRange;
  e.op = op;
  e.reg = NFT_REG_1;
  e.data = std::move(from);
  e.data2 = std::move(to);
  return e;
}

Expr Expr::Lookup(std::string set, bool invert) {
  Expr e;
  e.type = ExprType::kLookup;
  e.reg = NFT_REG_1;
  e.name = std::move(set);
  e.op = invert ? NFT_LOOKUP_F_INV : 0;
  return e;
}

Expr Expr::Ct(uint32_t key) {
  Expr e;
  e.type = ExprType::kCt;
  e.key = key;
  e.reg = NFT_REG_1;
  return e;
}

Expr Expr::Verdict(int32_t verdict) {
  Expr e;
  e.type = ExprType::kImmediate;
  e.verdict = verdict;
  return e;
}

Expr Expr::Limit(uint64_t rate, uint64_t unit_seconds, uint32_t burst) {
  Expr e;
  e.type = ExprType::kLimit;
  e.rate = rate;
  e.unit = unit_seconds;
  e.burst = burst;
  return e;
}

Expr Expr::Log(std::string prefix, uint32_t level) {
  Expr e;
  e.type = ExprType::kLog;
  e.name = std::move(prefix);
  e.level = level;
  return e;
}

Expr Expr::Reject(uint32_t type, uint32_t code) {
  Expr e;
  e.type = ExprType::kReject;
  e.level = type;
  e.code = code;
  return e;
}

Expr Expr::Counter() {
  Expr e;
  e.type = ExprType::kCounter;
  return e;
}

void Table::Normalize() {
  std::sort(chains.begin(), chains.end(),
            [](const Chain& a, const Chain& b) { return a.name < b.name; });
  std::sort(sets.begin(), sets.end(),
            [](const Set& a, const Set& b) { return a.name < b.name; });
  std::stable_sort(
      rules.begin(), rules.end(),
      [](const Rule& a, const Rule& b) { return a.chain < b.chain; });
}

const Set* Table::FindSet(const std::string& name) const {
  for (const auto& s : sets) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

namespace {

std::string Hex(const std::string& bytes) {
  std::string out;
  char buf[4];
  for (unsigned char c : bytes) {
    std::snprintf(buf, sizeof(buf), "%02x", c);
    out += buf;
  }
  return out.empty() ? "(empty)" : "0x" + out;
}

const char* CmpOp(uint32_t op) {
  switch (op) {
    case NFT_CMP_EQ:
      return "eq";
    case NFT_CMP_NEQ:
      return "neq";
    case NFT_CMP_LT:
      return "lt";
    case NFT_CMP_LTE:
      return "lte";
    case NFT_CMP_GT:
      return "gt";
    case NFT_CMP_GTE:
      return "gte";
  }
  return "?";
}

const char* PayloadBase(uint32_t base) {
  switch (base) {
    case NFT_PAYLOAD_LL_HEADER:
      return "link";
    case NFT_PAYLOAD_NETWORK_HEADER:
      return "network";
    case NFT_PAYLOAD_TRANSPORT_HEADER:
      return "transport";
  }
  return "?";
}

std::string FormatAddress(uint32_t key_type, const std::string& bytes) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (key_type == kTypeIpv4Addr && bytes.size() == 4) {
    inet_ntop(AF_INET, bytes.data(), buf, sizeof(buf));
    return buf;
  }
  if (key_type == kTypeIpv6Addr && bytes.size() == 16) {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf));
    return buf;
  }
  if (key_type == kTypeInetService && bytes.size() == 2) {
    auto hi = static_cast<unsigned char>(bytes[0]);
    auto lo = static_cast<unsigned char>(bytes[1]);
    return std::to_string(hi * 256 + lo);
  }
  return Hex(bytes);
}

}  // namespace

// The prefix length when [first, last] is exactly one CIDR block, else -1.
int PrefixLength(const std::string& first, const std::string& last) {
  if (first.size() != last.size()) return -1;
  int bits = static_cast<int>(first.size()) * 8;
  int prefix = 0;
  while (prefix < bits) {
    int byte = prefix / 8;
    int bit = 7 - prefix % 8;
    bool a = (static_cast<unsigned char>(first[byte]) >> bit) & 1;
    bool b = (static_cast<unsigned char>(last[byte]) >> bit) & 1;
    if (a != b) break;
    ++prefix;
  }
  for (int i = prefix; i < bits; ++i) {
    int byte = i / 8;
    int bit = 7 - i % 8;
    if ((static_cast<unsigned char>(first[byte]) >> bit) & 1) return -1;
    if (!((static_cast<unsigned char>(last[byte]) >> bit) & 1)) return -1;
  }
  return prefix;
}

std::string DescribeExpr(const Expr& e) {
  std::string r = "reg " + std::to_string(e.reg);
  switch (e.type) {
    case ExprType::kMeta:
      return "[ meta load " + std::to_string(e.key) + " => " + r + " ]";
    case ExprType::kPayload:
      return "[ payload load " + std::to_string(e.len) + "b @ " +
             PayloadBase(e.key) + " header + " + std::to_string(e.offset) +
             " => " + r + " ]";
    case ExprType::kCmp:
      return std::string("[ cmp ") + CmpOp(e.op) + " " + r + " " + Hex(e.data) +
             " ]";
    case ExprType::kBitwise:
      return "[ bitwise " + r + " = (" + r + " & " + Hex(e.data) + ") ^ " +
             Hex(e.data2) + " ]";
    case ExprType::kRange:
      return std::string("[ range ") + (e.op == NFT_RANGE_EQ ? "eq" : "neq") +
             " " + r + " " + Hex(e.data) + " " + Hex(e.data2) + " ]";
    case ExprType::kLookup:
      return "[ lookup " + r + " set " + e.name +
             (e.op & NFT_LOOKUP_F_INV ? " 0x1" : "") + " ]";
    case ExprType::kCt:
      return "[ ct load " + std::to_string(e.key) + " => " + r + " ]";
    case ExprType::kImmediate:
      return std::string("[ immediate ") +
             (e.verdict == NF_ACCEPT ? "accept"
              : e.verdict == NF_DROP ? "drop"
                                     : "verdict " + std::to_string(e.verdict)) +
             " ]";
    case ExprType::kLimit:
      return "[ limit rate " + std::to_string(e.rate) + "/" +
             std::to_string(e.unit) + "s burst " + std::to_string(e.burst) +
             " ]";
    case ExprType::kLog:
      return "[ log prefix \"" + e.name + "\" level " +
             std::to_string(e.level) + " ]";
    case ExprType::kReject:
      return "[ reject type " + std::to_string(e.level) + " code " +
             std::to_string(e.code) + " ]";
    case ExprType::kCounter:
      return "[ counter ]";
    case ExprType::kOther:
      return "[ " + e.name + (e.text.empty() ? "" : " " + e.text) + " ]";
  }
  return "[ ? ]";
}

std::string DescribeExprs(const std::vector<Expr>& exprs) {
  std::string out;
  for (const auto& e : exprs) {
    if (!out.empty()) out += " ";
    out += DescribeExpr(e);
  }
  return out;
}

std::string DescribeInterval(uint32_t key_type, const Interval& iv) {
  if (iv.first == iv.last) return FormatAddress(key_type, iv.first);
  if (key_type == kTypeIpv4Addr || key_type == kTypeIpv6Addr) {
    int p = PrefixLength(iv.first, iv.last);
    if (p >= 0)
      return FormatAddress(key_type, iv.first) + "/" + std::to_string(p);
  }
  return FormatAddress(key_type, iv.first) + "-" +
         FormatAddress(key_type, iv.last);
}

std::string DescribeElements(const Set& set) {
  std::string out;
  for (const auto& iv : set.elements) {
    if (!out.empty()) out += ", ";
    out += DescribeInterval(set.key_type, iv);
  }
  return "{ " + out + " }";
}

std::string RuleLabel(const Rule& r, size_t index_in_chain) {
  std::string label =
      "rule " + std::to_string(index_in_chain) + " of chain " + r.chain;
  if (!r.comment.empty()) label += " (\"" + r.comment + "\")";
  return label;
}

Status CheckTable(const Table& t) {
  if (!t.exists) return Status::Ok();
  std::set<std::string> chains;
  for (const auto& c : t.chains) {
    if (c.name.empty() || c.name.size() > 255) {
      return Status::Error("chain name \"" + c.name + "\" is invalid");
    }
    if (!chains.insert(c.name).second) {
      return Status::Error("chain " + c.name + " is defined twice");
    }
  }
  std::set<std::string> sets;
  for (const auto& s : t.sets) {
    if (s.name.empty() || s.name.size() > 255) {
      return Status::Error("set name \"" + s.name + "\" is invalid");
    }
    if (!sets.insert(s.name).second) {
      return Status::Error("set " + s.name + " is defined twice");
    }
    for (const auto& iv : s.elements) {
      if (iv.first.size() != s.key_len || iv.last.size() != s.key_len ||
          iv.last < iv.first) {
        return Status::Error("set " + s.name + ": element " +
                             DescribeInterval(s.key_type, iv) +
                             " does not fit its key");
      }
    }
  }
  std::map<std::string, size_t> index;
  for (const auto& r : t.rules) {
    std::string label = RuleLabel(r, index[r.chain]++);
    if (!chains.count(r.chain)) {
      return Status::Error(label + ": no such chain");
    }
    if (r.comment.size() > 127) {
      return Status::Error(label + ": comment longer than 127 bytes");
    }
    for (const auto& e : r.exprs) {
      if (e.type == ExprType::kLookup && !sets.count(e.name)) {
        return Status::Error(label + ": no set named " + e.name);
      }
      if (e.type == ExprType::kOther) {
        return Status::Error(label + ": cannot write expression " +
                             DescribeExpr(e));
      }
    }
  }
  return Status::Ok();
}

}  // namespace nft
}  // namespace flamingo
