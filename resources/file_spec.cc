#include "resources/file_spec.h"

#include <algorithm>
#include <cstddef>
#include <numeric>

#include "engine/system.h"

namespace flamingo {

namespace {

// A string-ish scalar; reports and returns nullopt otherwise.
std::optional<std::string> Text(const Value& v, Diagnostics* diags) {
  if (v.is_list() || v.is_map()) {
    diags->Error(
        v, std::string("expected a string, got ") + Value::TypeName(v.type()));
    return std::nullopt;
  }
  return v.ScalarText();
}

std::optional<bool> Flag(const Value& v, Diagnostics* diags) {
  if (v.is_null()) return false;
  if (!v.is_bool()) {
    diags->Error(v, std::string("expected true or false, got ") +
                        Value::TypeName(v.type()));
    return std::nullopt;
  }
  return v.as_bool();
}

}  // namespace

std::string Where(const Value& v) { return v.Origin() + ": " + v.path(); }

const OwnerSpec& FileSpec::owner_names() const {
  static const OwnerSpec* const kRoot = new OwnerSpec{"root", "root"};
  return owner ? owner->names : *kRoot;
}

const std::string& FileSpec::owner_where() const {
  static const std::string* const kNone = new std::string;
  return owner ? owner->where : *kNone;
}

std::optional<FileSpec> ParseFileEntry(const Value& entry, Diagnostics* diags) {
  if (!entry.is_map()) {
    diags->Error(entry, std::string("expected a map, got ") +
                            Value::TypeName(entry.type()));
    return std::nullopt;
  }
  size_t errors = diags->ErrorCount();
  FileSpec spec;
  spec.origin = entry.Position();

  const Value* path = entry.Get("path");
  if (path == nullptr) {
    diags->Error(entry, "missing required key \"path\"");
  } else if (auto text = Text(*path, diags)) {
    if (text->empty()) {
      diags->Error(*path, "path must not be empty");
    } else if (text->find('\0') != std::string::npos) {
      // No file can have this name: the kernel's paths end at a NUL.
      diags->Error(*path, "path must not contain a NUL byte");
    } else {
      // cloud-init takes os.path.abspath(path) with "/" as working directory.
      spec.path = NormalizePath(text->front() == '/' ? *text : "/" + *text);
      if (spec.path == "/") diags->Error(*path, "path must name a file");
    }
  }

  std::string encoding;
  if (const Value* e = entry.Get("encoding")) {
    if (auto text = Text(*e, diags)) {
      encoding = *text;
      if (!EncodingSteps(encoding)) {
        diags->Error(*e, "unknown encoding \"" + encoding +
                             "\"; expected one of: " + KnownEncodings());
      }
    }
  }

  ContentPiece piece;
  if (const Value* c = entry.Get("content")) {
    if (Text(*c, diags) && EncodingSteps(encoding)) {
      auto data = DecodeContent(*c, encoding);
      if (!data.ok()) {
        diags->Error(*c, data.status().message());
      } else {
        piece.literal = std::move(*data);
      }
    }
  }
  if (const Value* s = entry.Get("source")) {
    ContentSource source;
    const Value* uri = s->is_map() ? s->Get("uri") : nullptr;
    if (!s->is_map()) {
      diags->Error(
          *s, std::string("expected a map, got ") + Value::TypeName(s->type()));
    } else if (uri == nullptr) {
      diags->Error(*s, "missing required key \"uri\"");
    } else if (auto text = Text(*uri, diags)) {
      if (text->rfind("file://", 0) == 0) {
        std::string file = text->substr(7);
        if (file.empty() || file[0] != '/') {
          diags->Error(*uri,
                       "file:// URI must name an absolute path "
                       "(file:///path)");
        }
      } else if (text->rfind("http://", 0) == 0 ||
                 text->rfind("https://", 0) == 0) {
        if (const Value* h = s->Get("headers"); h != nullptr && h->is_map()) {
          for (const auto& [name, value] : h->entries()) {
            source.headers.emplace_back(name, value.ScalarText());
          }
        }
      } else {
        diags->Error(*uri, "unsupported URI \"" + *text +
                               "\"; expected file://, http:// or https://");
      }
      source.uri = *text;
      source.where = Where(*uri);
      piece.source = std::make_shared<ContentSource>(std::move(source));
    }
  }
  if (piece.source) {
    spec.pieces.push_back(std::move(piece));
  } else {
    spec.literal = std::move(piece.literal);
  }

  if (const Value* o = entry.Get("owner")) {
    if (auto text = Text(*o, diags)) {
      spec.owner = std::make_shared<const FileOwner>(
          FileOwner{ParseOwner(*text), Where(*o)});
    }
  }
  if (const Value* p = entry.Get("permissions");
      p != nullptr && !p->is_null()) {
    auto mode = ParsePermissions(*p);
    if (!mode.ok()) {
      diags->Error(*p, mode.status().message());
    } else {
      spec.mode = *mode;
      // An unquoted 644 is the decimal integer 644 (mode 01204) to YAML and
      // to cloud-init: almost certainly not what was meant.
      const std::string& t = p->text();
      if (p->is_int() && t.size() >= 3 && t[0] != '0' &&
          t.find_first_not_of("01234567") == std::string::npos) {
        diags->Warning(*p, "permissions " + t + " is the decimal number " + t +
                               " (mode " + FormatMode(*mode) + "); write '0" +
                               t + "' for mode 0" + t);
      }
    }
  }
  if (const Value* a = entry.Get("append")) {
    if (auto f = Flag(*a, diags)) spec.append = *f;
  }
  if (const Value* d = entry.Get("defer")) {
    if (auto f = Flag(*d, diags)) spec.defer = *f;
  }
  if (diags->ErrorCount() != errors) return std::nullopt;
  return spec;
}

namespace {

// Appends the content of `tail` (its literal, then its pieces) to `head`'s.
void AppendContent(FileSpec* head, FileSpec&& tail) {
  if (head->pieces.empty()) {
    head->literal += tail.literal;
  } else if (!tail.literal.empty()) {
    ContentPiece text;
    text.literal = std::move(tail.literal);
    head->pieces.push_back(std::move(text));
  }
  for (auto& p : tail.pieces) head->pieces.push_back(std::move(p));
}

}  // namespace

void MergeFileSpecs(std::deque<FileSpec>* deque) {
  std::deque<FileSpec>& specs = *deque;
  // The entries of each path, in config order (a stable sort of indexes:
  // no second vector of specs, no copies of the paths).
  std::vector<size_t> order(specs.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return specs[a].path < specs[b].path;
  });
  // Later entries are merged into the first one of their path, which keeps
  // its place.
  std::vector<bool> merged(specs.size(), false);
  for (size_t i = 0; i < order.size();) {
    FileSpec& prev = specs[order[i]];
    size_t j = i + 1;
    for (; j < order.size() && specs[order[j]].path == prev.path; ++j) {
      FileSpec& s = specs[order[j]];
      if (s.append) {
        // Appends to whatever the earlier entries left; keeps their append
        // flag (an earlier overwrite stays an overwrite).
        bool append = prev.append;
        AppendContent(&prev, std::move(s));
        s.literal = std::move(prev.literal);
        s.pieces = std::move(prev.pieces);
        s.append = append;
      }
      prev = std::move(s);
      merged[order[j]] = true;
    }
    i = j;
  }
  size_t kept = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    if (merged[i]) continue;
    if (kept != i) specs[kept] = std::move(specs[i]);
    ++kept;
  }
  specs.erase(specs.begin() + static_cast<std::ptrdiff_t>(kept), specs.end());
}

}  // namespace flamingo
