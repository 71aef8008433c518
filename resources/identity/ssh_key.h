// SSH public keys as they appear in authorized_keys:
//   [options] keytype base64-blob [comment]
// Parsing checks the key type against the types OpenSSH accepts (the list
// cloud-init documents), that the blob is valid base64 and, for the modern
// type names, that the blob's embedded type matches.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace flamingo::identity {

struct SshKey {
  std::string options;  // "" or "no-pty,command=\"...\""
  std::string type;     // "ssh-ed25519"
  std::string blob;     // base64
  std::string comment;  // may be ""
  // Identity of the key: "type blob" (options and comment excluded).
  std::string Identity() const { return type + " " + blob; }
  // The authorized_keys line.
  std::string Line() const;
  // Short form for plans: "ssh-ed25519 AAAAC3Nz...Xk2 user@host".
  std::string Short() const;
};

// Parses one key (a config entry or an authorized_keys line). On failure
// returns nullopt and sets *error ("unknown key type 'foo'").
std::optional<SshKey> ParseSshKey(std::string_view text, std::string* error);

// True for lines an authorized_keys parser should skip (blank, comment).
bool IsBlankOrComment(std::string_view line);

}  // namespace flamingo::identity
