// A small MIME (RFC 2045/2046) reader for user-data: headers, nested
// multipart bodies, base64 and quoted-printable transfer encodings.
// Lenient where Python's email package (and so cloud-init) is lenient
// (a leading mbox "From " line, missing Content-Type = text/plain, folded
// headers), strict where accepting would silently drop data: a multipart
// without a boundary, a boundary that never appears, a missing closing
// boundary, undecodable base64 and excessive nesting are errors.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace flamingo {

struct MimePart {
  // Header names lower-cased; values unfolded and trimmed. Last one wins.
  std::map<std::string, std::string> headers;
  std::string
      content_type;  // lower-case "type/subtype"; "text/plain" if absent
  std::map<std::string, std::string> params;  // Content-Type parameters
  std::string body;                // transfer-decoded (leaf parts only)
  std::vector<MimePart> children;  // multipart parts
  bool is_multipart() const { return content_type.rfind("multipart/", 0) == 0; }
  // The Content-Disposition filename (or Content-Type name), or "".
  std::string Filename() const;
  std::string Header(const std::string& lower_name) const;
};

// Parses a whole MIME message.
Result<MimePart> ParseMime(std::string_view text);

// Leaf parts in document order (Python's Message.walk() minus containers).
void CollectLeaves(const MimePart& root, std::vector<const MimePart*>* out);

// Splits "type/sub; a=b; c=\"d\"" into a lower-case type and parameters.
std::string ParseContentType(const std::string& value,
                             std::map<std::string, std::string>* params);

Result<std::string> DecodeBase64(std::string_view in);
std::string DecodeQuotedPrintable(std::string_view in);

}  // namespace flamingo
