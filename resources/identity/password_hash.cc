#include "resources/identity/password_hash.h"

#include <crypt.h>

#include <cstring>
#include <memory>
#include <optional>
#include <vector>

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

namespace {

bool IsB64(char c) {  // crypt's alphabet
  return c == '.' || c == '/' || (c >= '0' && c <= '9') ||
         (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool AllB64(std::string_view s) {
  for (char c : s) {
    if (!IsB64(c)) return false;
  }
  return true;
}

// Splits "a$b$c" at '$'.
std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t at = 0;;) {
    size_t d = s.find('$', at);
    out.push_back(s.substr(at, d == std::string_view::npos ? d : d - at));
    if (d == std::string_view::npos) return out;
    at = d + 1;
  }
}

bool IsSalt(std::string_view salt, size_t max) {
  if (salt.size() > max) return false;
  for (char c : salt) {
    if (c == '$' || c == ':' || c == '\n' || c == '\0' || c == ' ') {
      return false;
    }
  }
  return true;
}

// "$id$" followed by `rest` for the schemes shadow files really hold; the
// shapes are libxcrypt's (crypt(5)). nullopt: a scheme we do not know.
std::optional<bool> KnownShape(std::string_view id, std::string_view rest) {
  std::vector<std::string_view> f = Fields(rest);
  if (id == "1") {  // MD5: salt (<= 8) $ 22
    return f.size() == 2 && IsSalt(f[0], 8) && f[1].size() == 22 &&
           AllB64(f[1]);
  }
  if (id == "5" || id == "6") {  // SHA-2: [rounds=N$] salt (<= 16) $ 43|86
    if (!f.empty() && f[0].rfind("rounds=", 0) == 0) {
      std::string_view n = f[0].substr(7);
      if (n.empty() || n.size() > 9 ||
          n.find_first_not_of("0123456789") != std::string_view::npos) {
        return false;
      }
      f.erase(f.begin());
    }
    size_t len = id == "5" ? 43 : 86;
    return f.size() == 2 && IsSalt(f[0], 16) && f[1].size() == len &&
           AllB64(f[1]);
  }
  if (id == "2a" || id == "2b" || id == "2x" || id == "2y") {  // bcrypt
    return f.size() == 2 && f[0].size() == 2 &&
           f[0].find_first_not_of("0123456789") == std::string_view::npos &&
           f[1].size() == 53 && AllB64(f[1]);
  }
  if (id == "y" || id == "gy") {  // (gost-)yescrypt: params $ salt $ 43
    return f.size() == 3 && !f[0].empty() && AllB64(f[0]) && AllB64(f[1]) &&
           f[2].size() == 43 && AllB64(f[2]);
  }
  return std::nullopt;
}

}  // namespace

bool IsValidHash(std::string_view hash) {
  if (hash == "*" || hash == "!" || hash == "!!" || hash == "!*") return true;
  std::string_view h = hash;
  if (!h.empty() && h[0] == '!') h.remove_prefix(1);
  if (h.size() < 13) return false;
  for (char c : h) {
    if (c == ':' || c == '\n' || c == '\0' || c == ' ') return false;
  }
  if (h[0] != '$') return h.size() == 13 && AllB64(h);  // traditional DES
  // By shape, not by running crypt: a SHA-512 probe costs milliseconds and
  // yescrypt's far more, at every plan.
  size_t end = h.find('$', 1);
  if (end == std::string_view::npos) return false;
  std::optional<bool> known =
      KnownShape(h.substr(1, end - 1), h.substr(end + 1));
  if (known) return *known;
  // A rarer scheme: a well-formed hash re-hashes to a string of its shape.
  std::string probe(h);
  std::string out = Crypt("flamingo-probe", probe);
  return !out.empty() && out.size() == probe.size() &&
         out.compare(0, 2, probe, 0, 2) == 0;
}

}  // namespace flamingo::identity
