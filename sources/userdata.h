// User-data and vendor-data decoding, as cloud-init's UserDataProcessor and
// part handlers do it:
//  - gzip (by magic bytes 1f 8b) is decompressed first; a corrupt stream is
//    an error.
//  - "mime-version:" in the first 4096 bytes: a MIME message, every leaf part
//    handled in order; otherwise one part typed by its first line.
//  - Types: text/cloud-config (merged in order, merge_how/merge_type and the
//    Merge-Type header honoured), text/x-shellscript ("#!": ScriptPart),
//    text/x-include-url / text/x-include-once-url ("#include",
//    "#include-once": each URL fetched through the Fetcher and processed as
//    user-data; loops and depth are bounded), text/cloud-config-archive
//    ("#cloud-config-archive": a YAML list of {content, type, filename,
//    launch-index}), gzip content types. text/plain parts are typed by
//    their first line. Any other type: a warning naming the type.
//  - Vendor-data is decoded the same way and merged beneath user-data
//    (user-data wins; cloud-init's "dict()+list()+str()"), unless the
//    user-data says `vendor_data: {enabled: false}`.
// Errors (malformed MIME, corrupt gzip, include loop or failure, YAML syntax
// errors, a cloud-config that is not a mapping) go to Diagnostics; a caller
// must apply nothing when diags->HasErrors().
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/logger.h"
#include "resources/kinds.h"
#include "schemas/diagnostics.h"
#include "schemas/value.h"
#include "schemas/yaml_loader.h"
#include "sources/http_client.h"

namespace flamingo {

struct UserDataOptions {
  Fetcher* fetcher = nullptr;  // for #include; null: includes are errors
  FetchPolicy policy;          // for #include fetches
  int max_include_depth = 8;
  size_t max_parts = 1000;
  size_t max_decompressed_bytes = 64u << 20;
  // When set (EC2's ami-launch-index), parts whose Launch-Index header or
  // cloud-config "launch-index" names another index are skipped.
  std::optional<int> launch_index;
  // Takes the items of one top-level list as they are parsed (see
  // ListItemSink), when the user-data is one cloud-config document and
  // there is no vendor-data; otherwise unused (a container's parts and the
  // vendor-data are merged as whole trees).
  ListItemSink* item_sink = nullptr;
};

struct ProcessedUserData {
  Value config = Value::Map();      // merged cloud-config (a map)
  std::vector<ScriptPart> scripts;  // user-data scripts, then vendor-data's
  // Types of the parts seen, in order (for `status`/debugging).
  std::vector<std::string> part_types;
};

// Decodes one blob. `source` names it in diagnostics ("user-data").
ProcessedUserData DecodeUserData(std::string_view blob,
                                 const std::string& source,
                                 const UserDataOptions& options,
                                 Diagnostics* diags, Logger* logger);

// Decodes user-data and vendor-data (either may be empty) and merges them.
// The names label diagnostics ("/var/lib/cloud/seed/nocloud/user-data:4:2:
// ...").
ProcessedUserData ProcessUserData(
    std::string_view user_data, std::string_view vendor_data,
    const UserDataOptions& options, Diagnostics* diags, Logger* logger,
    const std::string& user_name = "user-data",
    const std::string& vendor_name = "vendor-data");

// True when `blob` is more than a plain cloud-config document: gzip, MIME,
// or a first line naming another part type ("#!", "#include", ...).
bool IsUserDataContainer(std::string_view blob);

// cloud-init's handlers.type_from_starts_with: the content type implied by
// the first characters ("#cloud-config" -> "text/cloud-config"), or "".
std::string TypeFromStartsWith(std::string_view payload);

}  // namespace flamingo
