// Helpers shared by the identity config parsers (internal).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "resources/identity/identity_config.h"
#include "schemas/diagnostics.h"
#include "schemas/value.h"

namespace flamingo::identity {

// The value of `key` or its deprecated dashed spelling ("lock-passwd").
const Value* GetKey(const Value& map, const std::string& key);

// Typed readers: report "expected ..." at the value and return nullopt when
// the type is wrong.
std::optional<std::string> ReadString(const Value& v, Diagnostics* diags);
std::optional<bool> ReadBool(const Value& v, Diagnostics* diags);
// A comma-separated string or a list of strings (names, trimmed).
std::vector<std::string> ReadNameList(const Value& v, Diagnostics* diags);
// Parses a list of authorized keys; errors name each bad item.
std::vector<SshKey> ReadKeys(const Value& v, Diagnostics* diags);

std::string Trim(const std::string& s);
// "YYYY-MM-DD" -> days since 1970-01-01; nullopt when malformed.
std::optional<int64_t> ParseDate(const std::string& s);

// Parses one `users` map (or `user`/default_user overrides) onto `u`:
// fields present in `m` override u's.
void ParseUserMap(const Value& m, UserSpec* u, Diagnostics* diags);

// Applies `password` and `chpasswd` to `cfg->users` (adding password-only
// entries for users that are not configured).
void ParsePasswords(const Value& config, IdentityConfig* cfg,
                    Diagnostics* diags);

}  // namespace flamingo::identity
