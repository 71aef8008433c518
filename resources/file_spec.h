// write_files entries as data: parsing one entry (semantic checks with
// positions) and merging entries that name the same path.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "resources/file_decode.h"
#include "schemas/diagnostics.h"
#include "schemas/value.h"

namespace flamingo {

// A run of bytes of the file: decoded inline content, or a source URI read
// at plan/apply time with `literal` as the fallback when it cannot be read
// (cloud-init falls back to `content` the same way).
struct ContentPiece {
  std::string literal;
  std::string source_uri;  // "" = literal only
  std::vector<std::pair<std::string, std::string>> source_headers;
  std::string where;  // "FILE:LINE:COL: write_files[i].source.uri"
  // An http(s) source is fetched once per run: plan, apply and the
  // re-observation after it all see the same bytes (set on first fetch).
  // Made by ParseFileEntry for a piece with a source_uri; null otherwise.
  std::shared_ptr<std::optional<Result<std::string>>> fetched;
};

struct FileSpec {
  std::string path;  // normalized, absolute
  std::vector<ContentPiece> pieces;
  OwnerSpec owner;
  uint32_t mode = kDefaultFileMode;
  bool append = false;
  bool defer = false;
  std::string origin;  // "FILE:LINE:COL" of the (last) entry
  // "FILE:LINE:COL: write_files[i].owner" when an owner is given (the
  // default, root:root, always resolves).
  std::string owner_where;
  // The resource kind ("file" for write_files; "yum_repo" for yum_repos).
  std::string kind = "file";
  // A file that exists and that flamingo did not create (no "created"
  // record) is left as it is, with a note (cloud-init's yum_repos skips an
  // existing repo file); one flamingo created is converged as usual.
  bool keep_foreign = false;
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
// entries in order, so this is the result it leaves).
std::vector<FileSpec> MergeFileSpecs(std::vector<FileSpec> specs);

}  // namespace flamingo
