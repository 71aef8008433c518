// cloud-init's configuration mergers (cloudinit/mergers) on Value trees.
//
// A merger list like "dict(recurse_array,no_replace)+list(append)+str()"
// decides how a later cloud-config part is merged into the ones before it:
//  dict(): replace | no_replace (default), recurse_array/recurse_list,
//          recurse_str, allow_delete (a null value deletes the key);
//          nested mappings are always merged recursively unless replace.
//  list(): replace (default: index-wise) | append | prepend | no_replace,
//          recurse_array/recurse_list, recurse_str, recurse_dict.
//  str():  append (concatenate) or replace.
// Types no listed merger handles keep the earlier value, as in cloud-init.
// Values keep their source positions (the node that "wins" keeps its own).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "schemas/diagnostics.h"
#include "schemas/value.h"

namespace flamingo {

struct MergerSpec {
  std::string name;               // "dict", "list", "str"
  std::vector<std::string> opts;  // lower-case options
};

// Parses "dict(a,b)+list()+str()"; unknown merger names are errors.
Result<std::vector<MergerSpec>> ParseMergers(std::string_view text);

// Removes merge_how (or, if absent, merge_type) from a cloud-config map and
// parses it (string form or the list form [{name, settings}] / [name, opt..]).
// Problems are reported at the key's position.
std::vector<MergerSpec> ExtractMergers(Value* config, Diagnostics* diags);

// cloud-init's defaults: the cloud-config part handler uses
// "dict(replace)+list()+str()"; merging whole configs (vendor-data beneath
// user-data) uses "dict()+list()+str()".
std::vector<MergerSpec> CloudConfigPartMergers();
std::vector<MergerSpec> DefaultMergers();

// Merges `with` into `base` using `mergers`.
Value MergeValues(const Value& base, const Value& with,
                  const std::vector<MergerSpec>& mergers);

// Merges cloud-config documents in order exactly as cloud-init's
// cloud-config part handler does: start from {}, for each part use the
// mergers named in the part (merge_how/merge_type, then `header_mergers[i]`
// from a Merge-Type MIME header), else CloudConfigPartMergers().
// `header_mergers` may be empty or have one string per part.
Value MergeCloudConfigParts(std::vector<Value> parts,
                            const std::vector<std::string>& header_mergers,
                            Diagnostics* diags);

}  // namespace flamingo
