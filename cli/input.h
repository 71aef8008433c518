// Loading the instance's input: meta-data, user-data, vendor-data, from the
// command line (--user-data/--meta-data, host paths) or from a datasource
// (sources/datasource.h: --datasource NAME|auto, --metadata-url URL).
// With --root other than "/", auto detection only looks at the NoCloud seed
// directory inside the root (the host's DMI, labels and kernel command line
// describe the host, not the image); --datasource NAME still forces one.
// User-data is decoded by sources/userdata.h (MIME, gzip, #include, ...).
#pragma once

#include <string>
#include <vector>

#include "cli/options.h"
#include "engine/system.h"
#include "resources/kinds.h"
#include "schemas/diagnostics.h"
#include "schemas/value.h"
#include "sources/datasource.h"

namespace flamingo {

struct InstanceInput {
  std::string datasource;   // where it came from: "command-line", "nocloud"
  std::string instance_id;  // meta-data instance-id ("iid-datasource-none")
  Value meta_data = Value::Map();
  Value config = Value::Map();  // the merged cloud-config
  std::vector<ScriptPart> scripts;
  // sha256 over meta-data, user-data and vendor-data as read: the same
  // fingerprint on a reboot of the same instance means nothing changed.
  std::string fingerprint;
  // What the datasource returned, normalized (flamingo query).
  InstanceData instance;
  // Whether config and scripts were decoded from the user-data and
  // vendor-data (LoadInstanceInput with decode_user_data, or
  // DecodeInstanceUserData); until then both are empty. CompileSession
  // drops config once compiled and sets this false again.
  bool user_data_decoded = false;
  // HasEveryBootInput(config, scripts), once decoded.
  bool every_boot_input = true;
  // instance.user_data and vendor_data are gone (ReleaseRawUserData).
  bool raw_user_data_released = false;
};

// Reads and decodes the input. Problems with positions go to `diags`; an
// error Status means there is no input at all (e.g. unreadable file).
// Without `decode_user_data` the user-data and vendor-data are read and
// fingerprinted but not decoded; DecodeInstanceUserData decodes them later
// if needed (sessions: CompileSession, which skips it on the reboot fast
// path of an input without every-boot work).
Result<InstanceInput> LoadInstanceInput(const CliOptions& options,
                                        const SystemReader& sys,
                                        Diagnostics* diags,
                                        bool decode_user_data = true);
// Decodes in->instance's user-data and vendor-data (MIME parts, #include,
// merging) into config and scripts, once. `sink` (optional) takes the items
// of its list as they are parsed when the user-data is one cloud-config
// document and there is no vendor-data (UserDataOptions::item_sink).
void DecodeInstanceUserData(InstanceInput* in, Diagnostics* diags,
                            ListItemSink* sink = nullptr);

// Frees instance.user_data and vendor_data (at 10,000 files, 1.2 MB for
// the rest of the run) once nothing will decode them again.
// DecodeInstanceUserData afterwards is a contract violation: it reports an
// error instead of compiling an empty config.
void ReleaseRawUserData(InstanceInput* in);

// Reads a file on the host (not inside --root): command-line inputs.
Result<std::string> ReadHostFile(const std::string& path);

// Creates an empty file on the host (not inside --root) if it is missing
// (--done-file); never follows a symlink there. REQUIRES: the parent exists.
Status TouchHostFile(const std::string& path);

}  // namespace flamingo
