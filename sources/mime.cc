#include "sources/mime.h"

#include <cctype>

#include "engine/text.h"

namespace flamingo {

namespace {

constexpr int kMaxDepth = 10;

// Splits text into lines, each keeping its own line ending.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    out.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

std::string_view StripEol(std::string_view l) {
  while (!l.empty() && (l.back() == '\n' || l.back() == '\r'))
    l.remove_suffix(1);
  return l;
}

Result<MimePart> ParseEntity(std::string_view text, int depth);

Status SplitMultipart(std::string_view body, const std::string& boundary,
                      int depth, MimePart* part) {
  const std::string delim = "--" + boundary;
  std::vector<std::string_view> lines = Lines(body);
  bool started = false, closed = false;
  size_t part_start = 0;  // offset in body of the current part
  size_t offset = 0;
  auto finish = [&](size_t line_offset) -> Status {
    // The line break before a delimiter belongs to the delimiter.
    size_t end = line_offset;
    if (end > part_start && body[end - 1] == '\n') --end;
    if (end > part_start && body[end - 1] == '\r') --end;
    Result<MimePart> child =
        ParseEntity(body.substr(part_start, end - part_start), depth + 1);
    if (!child.ok()) return child.status();
    part->children.push_back(std::move(child.value()));
    return Status::Ok();
  };
  for (std::string_view raw : lines) {
    std::string_view l = StripEol(raw);
    while (!l.empty() && (l.back() == ' ' || l.back() == '\t'))
      l.remove_suffix(1);
    if (l.size() >= delim.size() && l.substr(0, delim.size()) == delim) {
      std::string_view rest = l.substr(delim.size());
      if (rest == "--") {
        if (started) {
          Status s = finish(offset);
          if (!s.ok()) return s;
        }
        closed = true;
        break;
      }
      if (rest.empty()) {
        if (started) {
          Status s = finish(offset);
          if (!s.ok()) return s;
        }
        started = true;
        part_start = offset + raw.size();
      }
    }
    offset += raw.size();
  }
  if (!started) {
    return Status::Error("MIME multipart: boundary \"" + boundary +
                         "\" not found");
  }
  if (!closed) {
    return Status::Error("MIME multipart: closing boundary \"--" + boundary +
                         "--\" missing (truncated message?)");
  }
  return Status::Ok();
}

Result<MimePart> ParseEntity(std::string_view text, int depth) {
  if (depth > kMaxDepth)
    return Status::Error("MIME: multipart nesting deeper than 10");
  MimePart part;
  std::vector<std::string_view> lines = Lines(text);
  size_t i = 0, offset = 0;
  if (depth == 0 && !lines.empty() && lines[0].rfind("From ", 0) == 0) {
    offset += lines[0].size();  // mbox separator line
    i = 1;
  }
  std::string name, value;
  auto flush = [&] {
    if (!name.empty())
      part.headers[AsciiLower(TrimSpace(name))] = TrimSpace(value);
    name.clear();
    value.clear();
  };
  for (; i < lines.size(); ++i) {
    std::string_view l = StripEol(lines[i]);
    if (l.empty()) {
      offset += lines[i].size();
      break;
    }
    if ((l[0] == ' ' || l[0] == '\t') && !name.empty()) {
      value += " ";
      value += TrimSpace(l);
    } else {
      size_t colon = l.find(':');
      if (colon == std::string_view::npos || colon == 0) break;  // body begins
      flush();
      name = std::string(l.substr(0, colon));
      value = std::string(l.substr(colon + 1));
    }
    offset += lines[i].size();
  }
  flush();
  std::string_view body =
      offset <= text.size() ? text.substr(offset) : std::string_view();
  auto ct = part.headers.find("content-type");
  part.content_type = ct == part.headers.end()
                          ? "text/plain"
                          : ParseContentType(ct->second, &part.params);
  if (part.is_multipart()) {
    auto b = part.params.find("boundary");
    if (b == part.params.end() || b->second.empty()) {
      return Status::Error("MIME: " + part.content_type +
                           " without a boundary parameter");
    }
    Status s = SplitMultipart(body, b->second, depth, &part);
    if (!s.ok()) return s;
    return part;
  }
  std::string cte =
      AsciiLower(TrimSpace(part.Header("content-transfer-encoding")));
  if (cte == "base64") {
    Result<std::string> d = DecodeBase64(body);
    if (!d.ok()) return d.status();
    part.body = std::move(d.value());
  } else if (cte == "quoted-printable") {
    part.body = DecodeQuotedPrintable(body);
  } else {
    part.body = std::string(body);
  }
  return part;
}

}  // namespace

std::string MimePart::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string MimePart::Filename() const {
  std::map<std::string, std::string> p;
  std::string cd = Header("content-disposition");
  if (!cd.empty()) {
    ParseContentType(cd, &p);
    if (auto it = p.find("filename"); it != p.end()) return it->second;
  }
  if (auto it = params.find("name"); it != params.end()) return it->second;
  return "";
}

std::string ParseContentType(const std::string& value,
                             std::map<std::string, std::string>* params) {
  size_t semi = value.find(';');
  std::string type = AsciiLower(TrimSpace(value.substr(0, semi)));
  while (semi != std::string::npos) {
    size_t start = semi + 1;
    // Find the next ';' outside quotes.
    bool quoted = false;
    size_t j = start;
    for (; j < value.size(); ++j) {
      if (value[j] == '"') quoted = !quoted;
      if (value[j] == '\\' && quoted)
        ++j;
      else if (value[j] == ';' && !quoted)
        break;
    }
    std::string item = value.substr(start, j - start);
    size_t eq = item.find('=');
    if (eq != std::string::npos) {
      std::string k = AsciiLower(TrimSpace(item.substr(0, eq)));
      std::string v = TrimSpace(item.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
        std::string un;
        for (size_t q = 1; q + 1 < v.size(); ++q) {
          if (v[q] == '\\' && q + 2 < v.size()) ++q;
          un += v[q];
        }
        v = un;
      }
      (*params)[k] = v;
    }
    semi = j < value.size() ? j : std::string::npos;
  }
  if (type.find('/') == std::string::npos) type = "text/plain";
  return type;
}

void CollectLeaves(const MimePart& root, std::vector<const MimePart*>* out) {
  if (!root.is_multipart()) {
    out->push_back(&root);
    return;
  }
  for (const MimePart& c : root.children) CollectLeaves(c, out);
}

Result<MimePart> ParseMime(std::string_view text) {
  return ParseEntity(text, 0);
}

Result<std::string> DecodeBase64(std::string_view in) {
  std::string out;
  unsigned buf = 0;
  int bits = 0, pad = 0;
  for (char ch : in) {
    unsigned char c = static_cast<unsigned char>(ch);
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=') {
      ++pad;
      continue;
    } else if (std::isspace(c))
      continue;
    else
      return Status::Error("invalid base64: unexpected character");
    if (pad) return Status::Error("invalid base64: data after padding");
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  if (bits >= 6) return Status::Error("invalid base64: truncated input");
  return out;
}

std::string DecodeQuotedPrintable(std::string_view in) {
  std::string out;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '=') {
      out += in[i];
      continue;
    }
    if (i + 1 < in.size() && in[i + 1] == '\n') {
      i += 1;
      continue;
    }
    if (i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') {
      i += 2;
      continue;
    }
    if (i + 2 < in.size() && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
      out += static_cast<char>(hex(in[i + 1]) * 16 + hex(in[i + 2]));
      i += 2;
      continue;
    }
    out += '=';
  }
  return out;
}

}  // namespace flamingo
