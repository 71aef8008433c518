// libFuzzer target: whatever a metadata service or a seed serves (EC2, GCE,
// OpenStack, NoCloud meta-data, the kernel command line) is read into
// InstanceData or refused with an error, never a crash or a hang.
//
// Input: a selector byte, then the responses separated by NUL bytes. Each
// request the datasource makes gets the next response (status 200; a
// response that starts with '!' is a 404 instead); when they run out, 404.
// The same pieces also go through NormalizeNoCloud, ParseGceSshKeys and
// ParseDsCmdline; and when LoadYaml's flat shortcut takes a piece (the
// "key: word" form of most meta-data), what it gives must be what yaml-cpp
// gives, positions and paths included.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "schemas/yaml_loader.h"
#include "sources/datasource.h"

namespace {

bool SameTree(const flamingo::Value& a, const flamingo::Value& b) {
  if (a.type() != b.type() || a.text() != b.text() || a.tag() != b.tag() ||
      a.path() != b.path() || a.Origin() != b.Origin() ||
      a.key_line() != b.key_line() || a.key_col() != b.key_col() ||
      a.entries().size() != b.entries().size() || !(a == b)) {
    return false;
  }
  for (size_t i = 0; i < a.entries().size(); ++i) {
    if (a.entries()[i].first != b.entries()[i].first ||
        !SameTree(a.entries()[i].second, b.entries()[i].second)) {
      return false;
    }
  }
  return true;
}

void CheckFlatShortcut(const std::string& text) {
  auto flat = flamingo::LoadFlatMapping(text, "meta-data");
  if (!flat) return;
  flamingo::Diagnostics diags;
  flamingo::YamlLoadLimits parser_only;
  parser_only.flat_shortcut = false;
  auto parsed = flamingo::LoadYaml(text, "meta-data", &diags, parser_only);
  if (!parsed || !SameTree(*flat, *parsed)) __builtin_trap();
}

class ScriptedFetcher : public flamingo::Fetcher {
 public:
  explicit ScriptedFetcher(std::vector<std::string> bodies)
      : bodies_(std::move(bodies)) {}
  flamingo::Result<flamingo::HttpResponse> Fetch(
      const flamingo::HttpRequest& /*request*/,
      const flamingo::FetchPolicy& policy) override {
    flamingo::HttpResponse r;
    r.headers["metadata-flavor"] = "Google";
    if (next_ >= bodies_.size()) {
      r.status = 404;
      return r;
    }
    std::string body = bodies_[next_++];
    if (!body.empty() && body[0] == '!') {
      r.status = 404;
      return r;
    }
    if (body.size() > policy.max_bytes) body.resize(policy.max_bytes);
    r.status = 200;
    r.body = std::move(body);
    return r;
  }

 private:
  std::vector<std::string> bodies_;
  size_t next_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string> pieces;
  for (size_t start = 0;;) {
    size_t end = in.find('\0', start);
    pieces.emplace_back(in.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  ScriptedFetcher fetcher(pieces);
  flamingo::FetchPolicy policy;
  policy.max_attempts = 1;
  const std::string base = "http://169.254.169.254";
  switch (data[0] % 3) {
    case 0:
      (void)flamingo::ReadEc2(base, &fetcher, policy, nullptr);
      break;
    case 1:
      (void)flamingo::ReadGce(base, &fetcher, policy, nullptr);
      break;
    default:
      (void)flamingo::ReadOpenStack(base, &fetcher, policy, nullptr);
      break;
  }
  for (const std::string& p : pieces) {
    flamingo::InstanceData out;
    (void)flamingo::NormalizeNoCloud(p, "meta-data", &out);
    CheckFlatShortcut(p);
    (void)flamingo::ParseGceSshKeys(p);
    (void)flamingo::ParseDsCmdline(p);
  }
  return 0;
}
