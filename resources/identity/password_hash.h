// Password hashing with libcrypt (libxcrypt). Plain passwords from the
// config are hashed locally with a random salt; hashes are never logged.
#pragma once

#include <string>
#include <string_view>

#include "engine/status.h"

namespace flamingo::identity {

// The crypt prefix for a login.defs ENCRYPT_METHOD: "YESCRYPT" -> "$y$",
// "SHA256" -> "$5$", anything else (incl. "SHA512" and unset) -> "$6$".
std::string HashPrefixFor(std::string_view encrypt_method);

// Hashes `plain` with a fresh random salt for `prefix` ("$y$" or "$6$").
Result<std::string> HashPassword(std::string_view plain,
                                 std::string_view prefix);

// True when `plain` is the password of `hash` (crypt(plain, hash) == hash).
// A lock prefix ("!") on `hash` is ignored. False for "", "*", "!" etc.
bool PasswordMatches(std::string_view plain, std::string_view hash);

// Whether `hash` is a well-formed crypt hash libcrypt can verify against
// ($y$, $6$, $5$, $2b$, ... and legacy DES), optionally with one leading
// "!" (locked), or one of the no-password markers "*", "!", "!!", "!*".
bool IsValidHash(std::string_view hash);

// "!" + hash unless already locked; "!" for an empty hash.
std::string LockedHash(std::string_view hash);
// The hash without lock prefixes ("!", "!!").
std::string UnlockedHash(std::string_view hash);
bool IsLocked(std::string_view hash);

}  // namespace flamingo::identity
