#include "resources/identity/password_hash.h"

#include <crypt.h>

#include <cstring>
#include <memory>

namespace flamingo::identity {

std::string HashPrefixFor(std::string_view method) {
  if (method == "YESCRYPT") return "$y$";
  if (method == "SHA256") return "$5$";
  return "$6$";
}

Result<std::string> HashPassword(std::string_view plain,
                                 std::string_view prefix) {
  std::string phrase(plain);
  if (phrase.find('\0') != std::string::npos) {
    return Status::Error("password contains a NUL byte");
  }
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  std::string pfx(prefix);
  // rbytes null: libxcrypt draws the salt from the OS random source.
  if (crypt_gensalt_rn(pfx.c_str(), 0, nullptr, 0, setting, sizeof(setting)) ==
      nullptr) {
    return Status::Error("crypt_gensalt failed for method " + pfx);
  }
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* out = crypt_r(phrase.c_str(), setting, data.get());
  if (out == nullptr || out[0] == '*') {
    return Status::Error("crypt failed for method " + pfx);
  }
  std::string result(out);
  std::memset(data.get(), 0, sizeof(crypt_data));
  return result;
}

namespace {

// crypt(phrase, setting) or "" on failure.
std::string Crypt(const std::string& phrase, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* out = crypt_r(phrase.c_str(), setting.c_str(), data.get());
  std::string result = (out == nullptr || out[0] == '*') ? "" : out;
  std::memset(data.get(), 0, sizeof(crypt_data));
  return result;
}

}  // namespace

std::string UnlockedHash(std::string_view hash) {
  while (!hash.empty() && hash[0] == '!') hash.remove_prefix(1);
  return std::string(hash);
}

bool IsLocked(std::string_view hash) { return !hash.empty() && hash[0] == '!'; }

std::string LockedHash(std::string_view hash) {
  if (IsLocked(hash)) return std::string(hash);
  return "!" + std::string(hash);
}

bool PasswordMatches(std::string_view plain, std::string_view hash) {
  std::string h = UnlockedHash(hash);
  if (h.empty() || h == "*" || h.size() < 2) return false;
  std::string p(plain);
  if (p.find('\0') != std::string::npos) return false;
  std::string out = Crypt(p, h);
  return !out.empty() && out == h;
}

bool IsValidHash(std::string_view hash) {
  if (hash == "*" || hash == "!" || hash == "!!" || hash == "!*") return true;
  std::string h(hash);
  if (!h.empty() && h[0] == '!') h.erase(0, 1);
  if (h.size() < 13) return false;
  for (char c : h) {
    if (c == ':' || c == '\n' || c == '\0' || c == ' ') return false;
  }
  // A well-formed hash re-hashes to a string of the same shape.
  std::string out = Crypt("flamingo-probe", h);
  return !out.empty() && out.size() == h.size() &&
         out.compare(0, 2, h, 0, 2) == 0;
}

}  // namespace flamingo::identity
