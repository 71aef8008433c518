#include "resources/identity/ssh_key.h"

#include <array>
#include <cstdint>
#include <vector>

namespace flamingo::identity {
namespace {

constexpr std::array<std::string_view, 19> kKeyTypes = {
    "rsa",
    "ecdsa",
    "ed25519",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
    "sk-ssh-ed25519@openssh.com",
    "ssh-ed25519-cert-v01@openssh.com",
    "ssh-ed25519",
    "ssh-rsa-cert-v01@openssh.com",
    "ssh-rsa",
    "ssh-xmss-cert-v01@openssh.com",
    "ssh-xmss@openssh.com",
};

bool IsKeyType(std::string_view t) {
  for (auto k : kKeyTypes) {
    if (k == t) return true;
  }
  return false;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::optional<std::vector<uint8_t>> DecodeBase64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '=') {
      if (i + 2 < s.size()) return std::nullopt;
      ++pad;
      continue;
    }
    if (pad > 0) return std::nullopt;
    int v = B64Value(s[i]);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

// Splits the leading options field (which may contain quoted spaces).
size_t OptionsEnd(std::string_view s) {
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && quoted && i + 1 < s.size()) {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && IsSpace(s[i])) {
      return i;
    }
  }
  return quoted ? std::string_view::npos : s.size();
}

std::string_view NextWord(std::string_view* s) {
  while (!s->empty() && IsSpace(s->front())) s->remove_prefix(1);
  size_t i = 0;
  while (i < s->size() && !IsSpace((*s)[i])) ++i;
  std::string_view w = s->substr(0, i);
  s->remove_prefix(i);
  return w;
}

}  // namespace

std::string SshKey::Line() const {
  std::string out;
  if (!options.empty()) out = options + " ";
  out += type + " " + blob;
  if (!comment.empty()) out += " " + comment;
  return out;
}

std::string SshKey::Short() const {
  std::string b = blob.size() > 24 ? blob.substr(0, 12) + "..." +
                                         blob.substr(blob.size() - 8)
                                   : blob;
  std::string out = type + " " + b;
  if (!comment.empty()) out += " " + comment;
  return out;
}

bool IsBlankOrComment(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (IsSpace(line[i]) || line[i] == '\r')) ++i;
  return i == line.size() || line[i] == '#';
}

std::optional<SshKey> ParseSshKey(std::string_view text, std::string* error) {
  while (!text.empty() &&
         (IsSpace(text.back()) || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  if (text.find('\n') != std::string_view::npos) {
    *error = "a key must be a single line";
    return std::nullopt;
  }
  if (text.empty()) {
    *error = "empty key";
    return std::nullopt;
  }
  SshKey key;
  std::string_view rest = text;
  std::string_view first = rest.substr(0, rest.find_first_of(" \t"));
  if (!IsKeyType(first)) {
    // Options first.
    size_t end = OptionsEnd(rest);
    if (end == std::string_view::npos) {
      *error = "unterminated quote in key options";
      return std::nullopt;
    }
    key.options = std::string(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  std::string_view type = NextWord(&rest);
  if (!IsKeyType(type) && !key.options.empty() &&
      key.options.find_first_of("=,\"") == std::string::npos) {
    type = first;  // no options after all: the first word is a bad type
  }
  if (!IsKeyType(type)) {
    *error = "unknown key type '" + std::string(type) + "'";
    return std::nullopt;
  }
  std::string_view blob = NextWord(&rest);
  auto bytes = DecodeBase64(blob);
  if (!bytes || bytes->size() < 4) {
    *error = "key data is not valid base64";
    return std::nullopt;
  }
  if (type.find('-') != std::string_view::npos) {
    const auto& b = *bytes;
    uint32_t len = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) |
                   (uint32_t{b[2]} << 8) | uint32_t{b[3]};
    std::string embedded;
    if (len <= b.size() - 4) {
      embedded.assign(b.begin() + 4, b.begin() + 4 + len);
    }
    if (embedded != type) {
      *error = "key data does not match key type '" + std::string(type) + "'";
      return std::nullopt;
    }
  }
  while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
  key.type = std::string(type);
  key.blob = std::string(blob);
  key.comment = std::string(rest);
  return key;
}

}  // namespace flamingo::identity
