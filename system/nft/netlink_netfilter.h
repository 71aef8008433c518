// The real Netfilter: nftables over netlink with libmnl + libnftnl (no `nft`
// binary at run time). Each call opens its own NETLINK_NETFILTER socket, so
// it works in whatever network namespace the calling process is in.
//
// Read() dumps only table inet flamingo (a GETTABLE for it, then GETCHAIN,
// GETSET, GETSETELEM and GETRULE filtered to it) and decodes every rule's
// expressions into nft::Expr. Replace() sends one NFNL_MSG_BATCH:
//   NEWTABLE flamingo, DELTABLE flamingo   (delete whatever is there)
//   NEWTABLE, NEWCHAIN..., NEWSET + NEWSETELEM..., NEWRULE...
// and waits for the kernel's verdict on the whole batch; the kernel applies
// all of it or none. Errors name the refused object by its message sequence
// number ("rule 3 of chain input ("ssh"): Operation not supported").
#pragma once

#include <memory>

#include "system/nft/netfilter.h"

namespace flamingo {

std::unique_ptr<Netfilter> MakeNetlinkNetfilter();

}  // namespace flamingo
