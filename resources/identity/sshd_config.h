// sshd_config helpers: does the main file include a drop-in directory, and
// setting a keyword in the main file in place. Keywords compare
// case-insensitively, as sshd does; sshd uses the first value it reads, so
// SetOption replaces the first active occurrence outside any Match block
// (or inserts before the first Match block when there is none).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace flamingo::identity {

inline constexpr char kSshdConfigPath[] = "/etc/ssh/sshd_config";
inline constexpr char kSshdDropInDir[] = "/etc/ssh/sshd_config.d";
inline constexpr char kSshdDropInPath[] =
    "/etc/ssh/sshd_config.d/10-flamingo.conf";

// True when an Include directive (before any Match block) names files that
// match `drop_in` (relative Include paths are taken relative to /etc/ssh),
// and no line before that Include sets one of `keywords` (which would win).
bool IncludesDropIn(std::string_view config, std::string_view drop_in,
                    const std::vector<std::string>& keywords);

// The value of the first active `keyword` outside Match blocks, or nullopt.
std::optional<std::string> GetOption(std::string_view config,
                                     std::string_view keyword);

// Returns `config` with `keyword value` as the first active setting.
std::string SetOption(std::string_view config, std::string_view keyword,
                      std::string_view value);

}  // namespace flamingo::identity
