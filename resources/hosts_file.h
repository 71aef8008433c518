// Editing /etc/hosts for manage_etc_hosts: flamingo owns one marked block
// and never touches a line outside it.
//
//   # BEGIN flamingo manage_etc_hosts
//   127.0.1.1 host.example.com host
//   127.0.0.1 localhost localhost.localdomain localhost4
//   localhost4.localdomain4
//   ::1 localhost localhost.localdomain localhost6 localhost6.localdomain6
//   # END flamingo manage_etc_hosts
//
// The localhost lines are in the block only when no line outside it already
// maps that address to "localhost". Pure functions on text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flamingo {

inline constexpr char kHostsBegin[] = "# BEGIN flamingo manage_etc_hosts";
inline constexpr char kHostsEnd[] = "# END flamingo manage_etc_hosts";

// The lines inside the managed block of `text` (without the markers);
// empty when there is no block.
std::vector<std::string> ManagedHostsLines(std::string_view text);

// The lines the block must hold for these names (`fqdn` may equal
// `hostname` or be empty), given the rest of `text`.
std::vector<std::string> DesiredHostsLines(std::string_view text,
                                           const std::string& hostname,
                                           const std::string& fqdn);

// `text` with its block replaced by `lines` (markers included), or the block
// appended at the end when there is none. Every other line is kept byte for
// byte. A BEGIN marker without an END marker counts as an empty block.
std::string RewriteHosts(std::string_view text,
                         const std::vector<std::string>& lines);

}  // namespace flamingo
