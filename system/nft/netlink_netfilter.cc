#include "system/nft/netlink_netfilter.h"

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <vector>

namespace flamingo {
namespace {

using nft::Expr;
using nft::ExprType;

constexpr size_t kRecvSize = 1 << 17;

// Owns an open, bound netlink socket.
class Socket {
 public:
  ~Socket() {
    if (nl_ != nullptr) mnl_socket_close(nl_);
  }
  Status Open() {
    nl_ = mnl_socket_open(NETLINK_NETFILTER);
    if (nl_ == nullptr) return Status::FromErrno("netlink socket", errno);
    if (mnl_socket_bind(nl_, 0, MNL_SOCKET_AUTOPID) < 0) {
      return Status::FromErrno("netlink bind", errno);
    }
    portid_ = mnl_socket_get_portid(nl_);
    int one = 1;
    // Acks carry only the header of the refused message, plus the kernel's
    // extended error message when it has one.
    mnl_socket_setsockopt(nl_, NETLINK_CAP_ACK, &one, sizeof(one));
    mnl_socket_setsockopt(nl_, NETLINK_EXT_ACK, &one, sizeof(one));
    timeval tv{30, 0};  // never hang forever on a silent kernel
    setsockopt(fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return Status::Ok();
  }
  int fd() const { return mnl_socket_get_fd(nl_); }
  mnl_socket* nl() const { return nl_; }
  uint32_t portid() const { return portid_; }
  uint32_t NextSeq() { return seq_++; }

 private:
  mnl_socket* nl_ = nullptr;
  uint32_t portid_ = 0;
  uint32_t seq_ = static_cast<uint32_t>(time(nullptr));
};

// A growing buffer of netlink messages.
class MsgBuffer {
 public:
  // Room for one message of at most `room` bytes at the end.
  char* Reserve(size_t room) {
    buf_.resize(used_ + room);
    std::memset(buf_.data() + used_, 0, room);
    return buf_.data() + used_;
  }
  void Commit(const nlmsghdr* nlh) { used_ += NLMSG_ALIGN(nlh->nlmsg_len); }
  const char* data() const { return buf_.data(); }
  size_t size() const { return used_; }

 private:
  std::vector<char> buf_;
  size_t used_ = 0;
};

// Sends one request and feeds every reply to `cb` until the kernel is done.
// Returns the kernel's errno (0 on success) through *err when not null;
// then a kernel error is not a failed Status.
Status Talk(Socket& s, const MsgBuffer& req, uint32_t seq, mnl_cb_t cb,
            void* data, const char* what, int* err = nullptr) {
  if (mnl_socket_sendto(s.nl(), req.data(), req.size()) < 0) {
    return Status::FromErrno(std::string(what) + ": netlink send", errno);
  }
  std::vector<char> buf(kRecvSize);
  while (true) {
    ssize_t n = mnl_socket_recvfrom(s.nl(), buf.data(), buf.size());
    if (n < 0) {
      return Status::FromErrno(std::string(what) + ": netlink receive", errno);
    }
    int ret = mnl_cb_run(buf.data(), static_cast<size_t>(n), seq, s.portid(),
                         cb, data);
    if (ret == MNL_CB_ERROR) {
      if (err != nullptr) {
        *err = errno;
        return Status::Ok();
      }
      return Status::FromErrno(what, errno);
    }
    if (ret == MNL_CB_STOP) break;
  }
  if (err != nullptr) *err = 0;
  return Status::Ok();
}

std::string Bytes(const void* p, uint32_t len) {
  return p == nullptr ? std::string()
                      : std::string(static_cast<const char*>(p), len);
}

std::string ExprBytes(const nftnl_expr* e, uint16_t attr) {
  uint32_t len = 0;
  const void* p = nftnl_expr_get(e, attr, &len);
  return Bytes(p, len);
}

uint32_t U32(const nftnl_expr* e, uint16_t attr) {
  return nftnl_expr_is_set(e, attr) ? nftnl_expr_get_u32(e, attr) : 0;
}

Expr DecodeExpr(const nftnl_expr* e) {
  std::string name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
  Expr x;
  if (name == "meta" && !nftnl_expr_is_set(e, NFTNL_EXPR_META_SREG)) {
    x = Expr::Meta(U32(e, NFTNL_EXPR_META_KEY));
    x.reg = U32(e, NFTNL_EXPR_META_DREG);
  } else if (name == "payload" &&
             !nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_SREG)) {
    x = Expr::Payload(U32(e, NFTNL_EXPR_PAYLOAD_BASE),
                      U32(e, NFTNL_EXPR_PAYLOAD_OFFSET),
                      U32(e, NFTNL_EXPR_PAYLOAD_LEN));
    x.reg = U32(e, NFTNL_EXPR_PAYLOAD_DREG);
  } else if (name == "cmp") {
    x = Expr::Cmp(U32(e, NFTNL_EXPR_CMP_OP), ExprBytes(e, NFTNL_EXPR_CMP_DATA));
    x.reg = U32(e, NFTNL_EXPR_CMP_SREG);
  } else if (name == "bitwise" &&
             U32(e, NFTNL_EXPR_BITWISE_OP) == NFT_BITWISE_BOOL &&
             U32(e, NFTNL_EXPR_BITWISE_SREG) ==
                 U32(e, NFTNL_EXPR_BITWISE_DREG)) {
    x = Expr::Bitwise(ExprBytes(e, NFTNL_EXPR_BITWISE_MASK),
                      ExprBytes(e, NFTNL_EXPR_BITWISE_XOR));
    x.reg = U32(e, NFTNL_EXPR_BITWISE_SREG);
    x.len = U32(e, NFTNL_EXPR_BITWISE_LEN);
  } else if (name == "range") {
    x = Expr::Range(U32(e, NFTNL_EXPR_RANGE_OP),
                    ExprBytes(e, NFTNL_EXPR_RANGE_FROM_DATA),
                    ExprBytes(e, NFTNL_EXPR_RANGE_TO_DATA));
    x.reg = U32(e, NFTNL_EXPR_RANGE_SREG);
  } else if (name == "lookup" &&
             !nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG)) {
    const char* set = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
    x = Expr::Lookup(set != nullptr ? set : "");
    x.op = U32(e, NFTNL_EXPR_LOOKUP_FLAGS);
    x.reg = U32(e, NFTNL_EXPR_LOOKUP_SREG);
  } else if (name == "ct" && !nftnl_expr_is_set(e, NFTNL_EXPR_CT_SREG) &&
             !nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR)) {
    x = Expr::Ct(U32(e, NFTNL_EXPR_CT_KEY));
    x.reg = U32(e, NFTNL_EXPR_CT_DREG);
  } else if (name == "immediate" &&
             nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT) &&
             !nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN)) {
    x = Expr::Verdict(static_cast<int32_t>(U32(e, NFTNL_EXPR_IMM_VERDICT)));
  } else if (name == "limit" &&
             U32(e, NFTNL_EXPR_LIMIT_TYPE) == NFT_LIMIT_PKTS &&
             U32(e, NFTNL_EXPR_LIMIT_FLAGS) == 0) {
    x = Expr::Limit(nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_RATE),
                    nftnl_expr_get_u64(e, NFTNL_EXPR_LIMIT_UNIT),
                    U32(e, NFTNL_EXPR_LIMIT_BURST));
  } else if (name == "log" && !nftnl_expr_is_set(e, NFTNL_EXPR_LOG_GROUP) &&
             U32(e, NFTNL_EXPR_LOG_FLAGS) == 0) {
    const char* prefix = nftnl_expr_is_set(e, NFTNL_EXPR_LOG_PREFIX)
                             ? nftnl_expr_get_str(e, NFTNL_EXPR_LOG_PREFIX)
                             : "";
    x = Expr::Log(prefix, U32(e, NFTNL_EXPR_LOG_LEVEL));
  } else if (name == "reject") {
    x = Expr::Reject(U32(e, NFTNL_EXPR_REJECT_TYPE),
                     nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE));
  } else if (name == "counter") {
    x = Expr::Counter();
  } else {
    x.type = ExprType::kOther;
    x.name = name;
    char buf[512] = {0};
    nftnl_expr_snprintf(buf, sizeof(buf), e, NFTNL_OUTPUT_DEFAULT, 0);
    x.text = buf;
  }
  return x;
}

nftnl_expr* EncodeExpr(const Expr& x) {
  nftnl_expr* e = nullptr;
  switch (x.type) {
    case ExprType::kMeta:
      e = nftnl_expr_alloc("meta");
      nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, x.key);
      nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, x.reg);
      break;
    case ExprType::kPayload:
      e = nftnl_expr_alloc("payload");
      nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, x.reg);
      nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, x.key);
      nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, x.offset);
      nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, x.len);
      break;
    case ExprType::kCmp:
      e = nftnl_expr_alloc("cmp");
      nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, x.reg);
      nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, x.op);
      nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, x.data.data(),
                     static_cast<uint32_t>(x.data.size()));
      break;
    case ExprType::kBitwise:
      e = nftnl_expr_alloc("bitwise");
      nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, x.reg);
      nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, x.reg);
      nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, x.len);
      nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, x.data.data(),
                     static_cast<uint32_t>(x.data.size()));
      nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, x.data2.data(),
                     static_cast<uint32_t>(x.data2.size()));
      break;
    case ExprType::kRange:
      e = nftnl_expr_alloc("range");
      nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, x.reg);
      nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, x.op);
      nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, x.data.data(),
                     static_cast<uint32_t>(x.data.size()));
      nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, x.data2.data(),
                     static_cast<uint32_t>(x.data2.size()));
      break;
    case ExprType::kLookup:
      e = nftnl_expr_alloc("lookup");
      nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, x.reg);
      nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, x.name.c_str());
      if (x.op != 0) nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, x.op);
      break;
    case ExprType::kCt:
      e = nftnl_expr_alloc("ct");
      nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, x.key);
      nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, x.reg);
      break;
    case ExprType::kImmediate:
      e = nftnl_expr_alloc("immediate");
      nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
      nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT,
                         static_cast<uint32_t>(x.verdict));
      break;
    case ExprType::kLimit:
      e = nftnl_expr_alloc("limit");
      nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, x.rate);
      nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, x.unit);
      nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, x.burst);
      nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
      nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, 0);
      break;
    case ExprType::kLog:
      e = nftnl_expr_alloc("log");
      if (!x.name.empty()) {
        nftnl_expr_set_str(e, NFTNL_EXPR_LOG_PREFIX, x.name.c_str());
      }
      nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_LEVEL, x.level);
      break;
    case ExprType::kReject:
      e = nftnl_expr_alloc("reject");
      nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, x.level);
      nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE,
                        static_cast<uint8_t>(x.code));
      break;
    case ExprType::kCounter:
      e = nftnl_expr_alloc("counter");
      break;
    case ExprType::kOther:
      break;
  }
  return e;
}

// ---- Read ----

int TableCb(const nlmsghdr*, void*) { return MNL_CB_OK; }

int ChainCb(const nlmsghdr* nlh, void* data) {
  auto* out = static_cast<std::vector<nft::Chain>*>(data);
  nftnl_chain* c = nftnl_chain_alloc();
  if (nftnl_chain_nlmsg_parse(nlh, c) == 0) {
    const char* table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
    if (table != nullptr && std::string(table) == nft::kTableName &&
        nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY) == NFPROTO_INET) {
      nft::Chain chain;
      chain.name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
      if (nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM)) {
        chain.hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
        chain.priority =
            static_cast<int32_t>(nftnl_chain_get_u32(c, NFTNL_CHAIN_PRIO));
        chain.policy = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY)
                           ? nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY)
                           : NF_ACCEPT;
        const char* type = nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE);
        chain.type = type != nullptr ? type : "";
      } else {  // a regular chain: never one of ours
        chain.hook = ~0u;
        chain.policy = ~0u;
        chain.type = "";
      }
      out->push_back(std::move(chain));
    }
  }
  nftnl_chain_free(c);
  return MNL_CB_OK;
}

struct RawSet {
  nft::Set set;
  uint32_t flags = 0;
};

int SetCb(const nlmsghdr* nlh, void* data) {
  auto* out = static_cast<std::vector<RawSet>*>(data);
  nftnl_set* s = nftnl_set_alloc();
  if (nftnl_set_nlmsg_parse(nlh, s) == 0) {
    const char* table = nftnl_set_get_str(s, NFTNL_SET_TABLE);
    if (table != nullptr && std::string(table) == nft::kTableName) {
      RawSet raw;
      raw.set.name = nftnl_set_get_str(s, NFTNL_SET_NAME);
      raw.set.key_type = nftnl_set_get_u32(s, NFTNL_SET_KEY_TYPE);
      raw.set.key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
      raw.flags = nftnl_set_is_set(s, NFTNL_SET_FLAGS)
                      ? nftnl_set_get_u32(s, NFTNL_SET_FLAGS)
                      : 0;
      out->push_back(std::move(raw));
    }
  }
  nftnl_set_free(s);
  return MNL_CB_OK;
}

struct RawElem {
  std::string key;
  bool end = false;
};

int ElemCb(const nlmsghdr* nlh, void* data) {
  auto* out = static_cast<std::vector<RawElem>*>(data);
  nftnl_set* s = nftnl_set_alloc();
  if (nftnl_set_elems_nlmsg_parse(nlh, s) == 0) {
    nftnl_set_elems_iter* it = nftnl_set_elems_iter_create(s);
    // _next() returns the current element and then advances.
    nftnl_set_elem* e;
    while ((e = nftnl_set_elems_iter_next(it)) != nullptr) {
      RawElem raw;
      uint32_t len = 0;
      const void* key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);
      raw.key = Bytes(key, len);
      if (nftnl_set_elem_is_set(e, NFTNL_SET_ELEM_FLAGS)) {
        uint32_t flags = *static_cast<const uint32_t*>(
            nftnl_set_elem_get(e, NFTNL_SET_ELEM_FLAGS, &len));
        raw.end = (flags & NFT_SET_ELEM_INTERVAL_END) != 0;
      }
      out->push_back(std::move(raw));
    }
    nftnl_set_elems_iter_destroy(it);
  }
  nftnl_set_free(s);
  return MNL_CB_OK;
}

// big-endian value - 1 (REQUIRES: not all zero) and + 1 (false on overflow).
std::string Decrement(std::string v) {
  for (size_t i = v.size(); i-- > 0;) {
    auto b = static_cast<unsigned char>(v[i]);
    v[i] = static_cast<char>(b - 1);
    if (b != 0) break;
  }
  return v;
}

bool Increment(std::string* v) {
  for (size_t i = v->size(); i-- > 0;) {
    auto b = static_cast<unsigned char>((*v)[i]);
    (*v)[i] = static_cast<char>(b + 1);
    if (b != 0xff) return true;
  }
  return false;
}

// Interval-set elements come as start keys and end keys (flagged, one past
// the last); a start with no end runs to the top of the key space.
std::vector<nft::Interval> ToIntervals(std::vector<RawElem> elems,
                                       uint32_t key_len, bool interval) {
  std::vector<nft::Interval> out;
  if (!interval) {
    for (auto& e : elems) out.push_back({e.key, e.key});
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
  }
  std::sort(elems.begin(), elems.end(), [](const RawElem& a, const RawElem& b) {
    if (a.key != b.key) return a.key < b.key;
    return a.end && !b.end;  // an end closes before a start opens
  });
  bool open = false;
  std::string start;
  for (const auto& e : elems) {
    if (!e.end) {
      if (open) out.push_back({start, Decrement(e.key)});
      open = true;
      start = e.key;
    } else if (open && !e.key.empty() &&
               e.key != std::string(e.key.size(), '\0')) {
      out.push_back({start, Decrement(e.key)});
      open = false;
    }
  }
  if (open) out.push_back({start, std::string(key_len, '\xff')});
  return out;
}

struct RuleCtx {
  std::vector<nft::Rule>* rules;
};

int UdataCb(const nftnl_udata* attr, void* data) {
  auto* comment = static_cast<std::string*>(data);
  if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT) {
    const char* p = static_cast<const char*>(nftnl_udata_get(attr));
    uint8_t len = nftnl_udata_len(attr);
    *comment = std::string(p, strnlen(p, len));
  }
  return 0;
}

int ExprCb(nftnl_expr* e, void* data) {
  static_cast<std::vector<Expr>*>(data)->push_back(DecodeExpr(e));
  return 0;
}

int RuleCb(const nlmsghdr* nlh, void* data) {
  auto* out = static_cast<std::vector<nft::Rule>*>(data);
  nftnl_rule* r = nftnl_rule_alloc();
  if (nftnl_rule_nlmsg_parse(nlh, r) == 0) {
    const char* table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
    if (table != nullptr && std::string(table) == nft::kTableName &&
        nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY) == NFPROTO_INET) {
      nft::Rule rule;
      rule.chain = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
      nftnl_expr_foreach(r, ExprCb, &rule.exprs);
      if (nftnl_rule_is_set(r, NFTNL_RULE_USERDATA)) {
        uint32_t len = 0;
        const void* ud = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &len);
        nftnl_udata_parse(ud, len, UdataCb, &rule.comment);
      }
      out->push_back(std::move(rule));
    }
  }
  nftnl_rule_free(r);
  return MNL_CB_OK;
}

template <typename Obj, typename BuildFn>
MsgBuffer Request(uint16_t type, uint16_t flags, uint32_t seq, Obj* obj,
                  BuildFn build) {
  MsgBuffer b;
  char* p = b.Reserve(4096);
  nlmsghdr* nlh = nftnl_nlmsg_build_hdr(p, type, NFPROTO_INET, flags, seq);
  build(nlh, obj);
  b.Commit(nlh);
  return b;
}

Result<nft::Table> ReadTable() {
  Socket s;
  Status st = s.Open();
  if (!st.ok()) return st;
  nft::Table t;

  nftnl_table* tb = nftnl_table_alloc();
  nftnl_table_set_str(tb, NFTNL_TABLE_NAME, nft::kTableName);
  uint32_t seq = s.NextSeq();
  MsgBuffer req = Request(NFT_MSG_GETTABLE, NLM_F_ACK, seq, tb,
                          nftnl_table_nlmsg_build_payload);
  nftnl_table_free(tb);
  int err = 0;
  st = Talk(s, req, seq, TableCb, nullptr, "read table inet flamingo", &err);
  if (!st.ok()) return st;
  if (err == ENOENT) return t;
  if (err != 0) return Status::FromErrno("read table inet flamingo", err);
  t.exists = true;

  nftnl_chain* c = nftnl_chain_alloc();
  nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, nft::kTableName);
  seq = s.NextSeq();
  req = Request(NFT_MSG_GETCHAIN, NLM_F_DUMP, seq, c,
                nftnl_chain_nlmsg_build_payload);
  nftnl_chain_free(c);
  st = Talk(s, req, seq, ChainCb, &t.chains, "list chains");
  if (!st.ok()) return st;

  std::vector<RawSet> sets;
  nftnl_set* set = nftnl_set_alloc();
  nftnl_set_set_str(set, NFTNL_SET_TABLE, nft::kTableName);
  seq = s.NextSeq();
  req = Request(NFT_MSG_GETSET, NLM_F_DUMP, seq, set,
                nftnl_set_nlmsg_build_payload);
  nftnl_set_free(set);
  st = Talk(s, req, seq, SetCb, &sets, "list sets");
  if (!st.ok()) return st;
  for (auto& raw : sets) {
    std::vector<RawElem> elems;
    nftnl_set* q = nftnl_set_alloc();
    nftnl_set_set_str(q, NFTNL_SET_TABLE, nft::kTableName);
    nftnl_set_set_str(q, NFTNL_SET_NAME, raw.set.name.c_str());
    nftnl_set_set_u32(q, NFTNL_SET_FAMILY, NFPROTO_INET);
    seq = s.NextSeq();
    req = Request(NFT_MSG_GETSETELEM, NLM_F_DUMP, seq, q,
                  nftnl_set_elems_nlmsg_build_payload);
    nftnl_set_free(q);
    st = Talk(s, req, seq, ElemCb, &elems,
              ("list elements of set " + raw.set.name).c_str());
    if (!st.ok()) return st;
    bool interval = (raw.flags & NFT_SET_INTERVAL) != 0;
    raw.set.elements = ToIntervals(std::move(elems), raw.set.key_len, interval);
    if (raw.flags != NFT_SET_INTERVAL) {
      // Not a set flamingo writes (anonymous, map, timeouts...): keep it
      // distinguishable so that it shows as drift.
      raw.set.name += " (flags " + std::to_string(raw.flags) + ")";
    }
    t.sets.push_back(std::move(raw.set));
  }

  nftnl_rule* r = nftnl_rule_alloc();
  nftnl_rule_set_str(r, NFTNL_RULE_TABLE, nft::kTableName);
  seq = s.NextSeq();
  req = Request(NFT_MSG_GETRULE, NLM_F_DUMP, seq, r,
                nftnl_rule_nlmsg_build_payload);
  nftnl_rule_free(r);
  st = Talk(s, req, seq, RuleCb, &t.rules, "list rules");
  if (!st.ok()) return st;
  t.Normalize();
  return t;
}

// ---- Replace ----

class Batch {
 public:
  explicit Batch(Socket* s) : s_(s) {
    uint32_t seq = s_->NextSeq();
    begin_seq_ = seq;
    nlmsghdr* nlh = nftnl_batch_begin(buf_.Reserve(256), seq);
    buf_.Commit(nlh);
  }

  // Adds one message; `what` names it in errors.
  template <typename Obj, typename BuildFn>
  void Add(uint16_t type, uint16_t flags, Obj* obj, BuildFn build, size_t room,
           std::string what) {
    uint32_t seq = s_->NextSeq();
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf_.Reserve(room), type,
                                          NFPROTO_INET, flags, seq);
    build(nlh, obj);
    buf_.Commit(nlh);
    last_ = nlh;  // valid until the next Reserve
    last_seq_ = seq;
    what_[seq] = std::move(what);
  }

  Status Send() {
    last_->nlmsg_flags |= NLM_F_ACK;  // one ack, after the whole batch
    nlmsghdr* nlh = nftnl_batch_end(buf_.Reserve(256), s_->NextSeq());
    buf_.Commit(nlh);
    int size = static_cast<int>(buf_.size() + 65536);
    setsockopt(s_->fd(), SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
    int rcv = 4 << 20;
    setsockopt(s_->fd(), SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
    if (mnl_socket_sendto(s_->nl(), buf_.data(), buf_.size()) < 0) {
      return Status::FromErrno("send nftables batch", errno);
    }
    return Receive();
  }

 private:
  // The kernel processes the whole batch, then reports every refused
  // message and finally acks the last one (or the batch header when it ran
  // out of memory).
  Status Receive() {
    std::vector<char> buf(kRecvSize);
    std::string first_error;
    int errors = 0;
    while (true) {
      ssize_t n = mnl_socket_recvfrom(s_->nl(), buf.data(), buf.size());
      if (n < 0) return Status::FromErrno("receive nftables verdict", errno);
      auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data());
      int len = static_cast<int>(n);
      bool done = false;
      while (mnl_nlmsg_ok(nlh, len)) {
        if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_pid == s_->portid()) {
          const auto* err =
              static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
          if (err->error != 0) {
            ++errors;
            if (first_error.empty()) {
              first_error = Describe(nlh, err);
            }
          }
          if (nlh->nlmsg_seq == last_seq_ || nlh->nlmsg_seq == begin_seq_) {
            done = true;
          }
        }
        nlh = mnl_nlmsg_next(nlh, &len);
      }
      if (done) break;
    }
    if (errors == 0) return Status::Ok();
    std::string msg =
        "the kernel refused the new ruleset, nothing changed: " + first_error;
    if (errors > 1) {
      msg += " (and " + std::to_string(errors - 1) + " more error" +
             (errors > 2 ? "s" : "") + ")";
    }
    return Status::Error(msg);
  }

  std::string Describe(const nlmsghdr* nlh, const nlmsgerr* err) {
    auto it = what_.find(nlh->nlmsg_seq);
    std::string what = it != what_.end() ? it->second : "the batch";
    std::string text = what + ": " + std::strerror(-err->error);
    if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
      size_t offset = sizeof(nlmsgerr);
      if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
        offset += err->msg.nlmsg_len - sizeof(nlmsghdr);
      }
      const char* tail =
          static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
      const auto* attr =
          static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, offset));
      while (mnl_attr_ok(
          attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)))) {
        if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG) {
          text += " (" + std::string(mnl_attr_get_str(attr)) + ")";
        }
        attr = static_cast<const nlattr*>(mnl_attr_next(attr));
      }
    }
    return text;
  }

  Socket* s_;
  MsgBuffer buf_;
  nlmsghdr* last_ = nullptr;
  uint32_t begin_seq_ = 0;
  uint32_t last_seq_ = 0;
  std::map<uint32_t, std::string> what_;
};

nftnl_table* MakeTable() {
  nftnl_table* t = nftnl_table_alloc();
  nftnl_table_set_str(t, NFTNL_TABLE_NAME, nft::kTableName);
  nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
  return t;
}

void AddElement(nftnl_set* s, const std::string& key, bool end) {
  nftnl_set_elem* e = nftnl_set_elem_alloc();
  nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key.data(),
                     static_cast<uint32_t>(key.size()));
  if (end) {
    uint32_t flags = NFT_SET_ELEM_INTERVAL_END;
    nftnl_set_elem_set(e, NFTNL_SET_ELEM_FLAGS, &flags, sizeof(flags));
  }
  nftnl_set_elem_add(s, e);
}

Status ReplaceTable(const nft::Table& desired) {
  Status st = nft::CheckTable(desired);
  if (!st.ok()) return st;
  Socket s;
  st = s.Open();
  if (!st.ok()) return st;
  Batch batch(&s);

  // "add table; delete table": deletes it whether or not it exists.
  nftnl_table* t = MakeTable();
  batch.Add(NFT_MSG_NEWTABLE, NLM_F_CREATE, t, nftnl_table_nlmsg_build_payload,
            4096, "table inet flamingo");
  batch.Add(NFT_MSG_DELTABLE, 0, t, nftnl_table_nlmsg_build_payload, 4096,
            "delete table inet flamingo");
  if (desired.exists) {
    batch.Add(NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL, t,
              nftnl_table_nlmsg_build_payload, 4096, "table inet flamingo");
  }
  nftnl_table_free(t);
  if (!desired.exists) return batch.Send();

  for (const auto& chain : desired.chains) {
    nftnl_chain* c = nftnl_chain_alloc();
    nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, nft::kTableName);
    nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain.name.c_str());
    nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, chain.hook);
    nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, chain.priority);
    nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, chain.policy);
    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, chain.type.c_str());
    batch.Add(NFT_MSG_NEWCHAIN, NLM_F_CREATE, c,
              nftnl_chain_nlmsg_build_payload, 4096, "chain " + chain.name);
    nftnl_chain_free(c);
  }

  std::map<std::string, uint32_t> set_ids;
  uint32_t next_id = 1;
  for (const auto& set : desired.sets) {
    uint32_t id = next_id++;
    set_ids[set.name] = id;
    nftnl_set* s2 = nftnl_set_alloc();
    nftnl_set_set_str(s2, NFTNL_SET_TABLE, nft::kTableName);
    nftnl_set_set_u32(s2, NFTNL_SET_FAMILY, NFPROTO_INET);
    nftnl_set_set_str(s2, NFTNL_SET_NAME, set.name.c_str());
    nftnl_set_set_u32(s2, NFTNL_SET_FLAGS, NFT_SET_INTERVAL);
    nftnl_set_set_u32(s2, NFTNL_SET_KEY_TYPE, set.key_type);
    nftnl_set_set_u32(s2, NFTNL_SET_KEY_LEN, set.key_len);
    nftnl_set_set_u32(s2, NFTNL_SET_ID, id);
    batch.Add(NFT_MSG_NEWSET, NLM_F_CREATE, s2, nftnl_set_nlmsg_build_payload,
              4096, "set " + set.name);
    if (!set.elements.empty()) {
      for (const auto& iv : set.elements) {
        AddElement(s2, iv.first, false);
        std::string end = iv.last;
        if (Increment(&end)) AddElement(s2, end, true);
      }
      batch.Add(NFT_MSG_NEWSETELEM, NLM_F_CREATE, s2,
                nftnl_set_elems_nlmsg_build_payload,
                4096 + set.elements.size() * 2 * (64 + set.key_len),
                "elements of set " + set.name);
    }
    nftnl_set_free(s2);
  }

  std::map<std::string, size_t> index;
  for (const auto& rule : desired.rules) {
    nftnl_rule* r = nftnl_rule_alloc();
    nftnl_rule_set_str(r, NFTNL_RULE_TABLE, nft::kTableName);
    nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, rule.chain.c_str());
    size_t room = 4096;
    for (const auto& x : rule.exprs) {
      nftnl_expr* e = EncodeExpr(x);
      if (x.type == ExprType::kLookup) {
        auto it = set_ids.find(x.name);
        if (it != set_ids.end()) {
          nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, it->second);
        }
      }
      nftnl_rule_add_expr(r, e);
      room += 256 + x.data.size() + x.data2.size() + x.name.size();
    }
    if (!rule.comment.empty()) {
      nftnl_udata_buf* ud = nftnl_udata_buf_alloc(256);
      nftnl_udata_put_strz(ud, NFTNL_UDATA_RULE_COMMENT, rule.comment.c_str());
      nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(ud),
                          nftnl_udata_buf_len(ud));
      nftnl_udata_buf_free(ud);
    }
    batch.Add(NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, r,
              nftnl_rule_nlmsg_build_payload, room,
              nft::RuleLabel(rule, index[rule.chain]++));
    nftnl_rule_free(r);
  }
  return batch.Send();
}

class NetlinkNetfilter : public Netfilter {
 public:
  Result<nft::Table> Read() const override { return ReadTable(); }
  Status Replace(const nft::Table& desired) override {
    return ReplaceTable(desired);
  }
};

}  // namespace

std::unique_ptr<Netfilter> MakeNetlinkNetfilter() {
  return std::make_unique<NetlinkNetfilter>();
}

}  // namespace flamingo
