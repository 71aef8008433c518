// write_files entries as data: parsing one entry (semantic checks with
// positions) and merging entries that name the same path.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "resources/file_decode.h"
#include "schemas/diagnostics.h"
#include "schemas/value.h"

namespace flamingo {

// Where a piece's bytes come from when they are not inline: a URI read at
// plan/apply time.
struct ContentSource {
  std::string uri;
  std::vector<std::pair<std::string, std::string>> headers;  // http(s)
  std::string where;  // "FILE:LINE:COL: write_files[i].source.uri"
  // An http(s) source is fetched once per run: plan, apply and the
  // re-observation after it all see the same bytes (set on first fetch;
  // shared by the copies of the piece).
  std::optional<Result<std::string>> fetched;
};

// A run of bytes of the file: decoded inline content, or a source with
// `literal` as the fallback when it cannot be read (cloud-init falls back
// to `content` the same way).
struct ContentPiece {
  std::string literal;
  std::shared_ptr<ContentSource> source;  // null = literal only
};

// A file's owner as written, with where (for messages at apply time).
struct FileOwner {
  OwnerSpec names;
  std::string where;  // "FILE:LINE:COL: write_files[i].owner"
};

// One file to write. Kept per resource until the run ends (10,000 files:
// 10,000 of them), so what most files leave at its default (the owner, a
// source) is out of line, and the position unformatted.
struct FileSpec {
  std::string path;  // normalized, absolute
  // The content: `literal`, then each of `pieces` in order. An entry whose
  // content is only text (almost every one) has no pieces: a vector's block
  // of one piece cost 64 bytes a file. An entry with a source is a piece
  // (its text is the fallback when the source cannot be read).
  std::string literal;
  std::vector<ContentPiece> pieces;
  // Null when no owner is given: root:root, which always resolves.
  std::shared_ptr<const FileOwner> owner;
  SourcePosition origin;  // of the (last) entry
  // The resource kind ("file" for write_files; "yum_repo" for yum_repos).
  const char* kind = "file";
  uint32_t mode = kDefaultFileMode;
  bool append = false;
  bool defer = false;
  // A file that exists and that flamingo did not create (no "created"
  // record) is left as it is, with a note (cloud-init's yum_repos skips an
  // existing repo file); one flamingo created is converged as usual.
  bool keep_foreign = false;

  // The owner's names: root:root without an owner.
  const OwnerSpec& owner_names() const;
  // Where the owner is written; "" without one.
  const std::string& owner_where() const;
};

// "FILE:LINE:COL: PATH" of a node (for messages issued after compile time).
std::string Where(const Value& v);

// Parses one write_files item. Every problem goes to `diags` at its node;
// returns nullopt when there was any. Types the schema checks (a list where
// a string belongs) are reported here too, so a compile never crashes on
// unvalidated input.
std::optional<FileSpec> ParseFileEntry(const Value& entry, Diagnostics* diags);

// One spec per path, in order of first appearance. For a repeated path the
// later entry wins (its owner, mode, defer), except that an `append: true`
// entry appends its content to the earlier content (cloud-init writes the
// entries in order, so this is the result it leaves). In place: a deque,
// so that its caller can take the specs from the front and free them as
// it goes.
void MergeFileSpecs(std::deque<FileSpec>* specs);

}  // namespace flamingo
