// libFuzzer target: arbitrary bytes through the cloud-config front door
// (format detection, YAML loading, validation in both modes, rendering) and
// on into every kind's compiler (unit files, sudo rules, sshd settings,
// write_files encodings...: pure, no system access) and the graph build.
// The same text is also compiled with write_files streamed (ItemStream, as
// a session compiles one cloud-config document); its diagnostics must be
// the whole tree's, or the target traps.
// Any crash, sanitizer report, leak or timeout is a bug. Run it with
// tests/run_fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/graph.h"
#include "resources/kinds.h"
#include "schemas/cloud_config.h"
#include "schemas/user_data_format.h"
#include "schemas/yaml_loader.h"

namespace {

// Loads, validates and compiles `text` (with `stream` as the sink, if any);
// the diagnostics, one per line.
std::string Compile(std::string_view text, flamingo::ItemStream* stream) {
  flamingo::Diagnostics diags;
  flamingo::YamlLoadLimits limits;
  limits.item_sink = stream;
  auto config = flamingo::LoadYaml(text, "fuzz", &diags, limits);
  if (config && config->is_map()) {
    flamingo::ValidateCloudConfig(*config, /*strict=*/false, &diags,
                                  stream ? &stream->validation() : nullptr);
    const flamingo::Value meta = flamingo::Value::Map();
    const std::vector<flamingo::ScriptPart> scripts;
    flamingo::RunInfo run;
    flamingo::CompileInput in{*config, meta, scripts, run, false, stream};
    flamingo::Graph graph;
    flamingo::CompileAll(in, &graph, &diags);
  }
  std::string out;
  for (const auto& d : diags.items()) out += d.ToString() + "\n";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)flamingo::DetectUserDataFormat(text);
  flamingo::Diagnostics diags;
  auto config = flamingo::LoadCloudConfig(text, "fuzz", &diags);
  if (config) {
    flamingo::ValidateCloudConfig(*config, /*strict=*/false, &diags);
    flamingo::ValidateCloudConfig(*config, /*strict=*/true, &diags);
    (void)config->ToJson().dump();
    const flamingo::Value meta = flamingo::Value::Map();
    const std::vector<flamingo::ScriptPart> scripts;
    flamingo::RunInfo run;
    run.instance_id = "iid-fuzz";
    flamingo::CompileInput in{*config, meta, scripts, run};
    flamingo::Graph graph;
    flamingo::CompileAll(in, &graph, &diags);
    (void)graph.Build();
    (void)flamingo::HasEveryBootInput(*config, scripts);
  }
  auto stream = flamingo::MakeItemStream();
  if (Compile(text, stream.get()) != Compile(text, nullptr)) {
    __builtin_trap();
  }
  size_t total = 0;
  for (const auto& d : diags.items()) total += d.ToString().size();
  return total == SIZE_MAX ? 1 : 0;
}
