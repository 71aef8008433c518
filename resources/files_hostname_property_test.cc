// Property: for random write_files and hostname configs on a random
// starting machine, apply converges (the next plan is empty) and a second
// apply changes nothing (no mutation of the FakeSystem at all).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/codec.h"
#include "resources/hostname.h"
#include "resources/resource_testing.h"
#include "resources/write_files.h"

namespace flamingo {
namespace {

using nlohmann::json;

rc::Gen<std::string> Text() {
  return rc::gen::container<std::string>(
      rc::gen::oneOf(rc::gen::inRange<char>(' ', '~'), rc::gen::just('\n')));
}

json FileEntry() {
  json e;
  e["path"] = *rc::gen::element<std::string>(
      "/etc/a.conf", "/etc/d/b", "/srv/x/y/z", "rel/file", "/home/alice/.rc");
  std::string content = *Text();
  int enc = *rc::gen::inRange(0, 4);
  if (enc == 1) {
    e["encoding"] = "b64";
    e["content"] = Base64Encode(content);
  } else if (enc == 2) {
    e["encoding"] = *rc::gen::element<std::string>("gz+b64", "gzip+base64");
    e["content"] = Base64Encode(GzipCompress(content));
  } else if (enc == 3 || *rc::gen::arbitrary<bool>()) {
    e["content"] = content;
  }
  if (*rc::gen::arbitrary<bool>()) {
    e["owner"] = *rc::gen::element<std::string>("root:root", "alice:alice",
                                                "alice", "root:wheel", "0:10");
  }
  int mode = *rc::gen::inRange(0, 01000);
  switch (*rc::gen::inRange(0, 3)) {
    case 0: {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "0%o", static_cast<unsigned>(mode));
      e["permissions"] = buf;
      break;
    }
    case 1:
      e["permissions"] = mode;
      break;
    default:
      break;
  }
  if (*rc::gen::arbitrary<bool>()) e["append"] = *rc::gen::arbitrary<bool>();
  if (*rc::gen::arbitrary<bool>()) e["defer"] = *rc::gen::arbitrary<bool>();
  return e;
}

json Config() {
  json c = json::object();
  int files = *rc::gen::inRange(0, 5);
  for (int i = 0; i < files; ++i) c["write_files"].push_back(FileEntry());
  if (*rc::gen::arbitrary<bool>()) {
    c["hostname"] =
        *rc::gen::element<std::string>("web01", "db.example.com", "h-2");
  }
  if (*rc::gen::arbitrary<bool>()) {
    c["fqdn"] = *rc::gen::element<std::string>("web01.example.com", "x.lan");
  }
  for (const char* flag : {"prefer_fqdn_over_hostname", "preserve_hostname",
                           "create_hostname_file"}) {
    if (*rc::gen::arbitrary<bool>()) c[flag] = *rc::gen::arbitrary<bool>();
  }
  switch (*rc::gen::inRange(0, 5)) {
    case 0:
      c["manage_etc_hosts"] = true;
      break;
    case 1:
      c["manage_etc_hosts"] = false;
      break;
    case 2:
      c["manage_etc_hosts"] = "localhost";
      break;
    case 3:
      c["manage_etc_hosts"] = "template";
      break;
    default:
      break;
  }
  return c;
}

void StartingMachine(FakeSystem* sys) {
  sys->AddFile(
      "/etc/passwd",
      "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n");
  sys->AddFile("/etc/group", "root:x:0:\nwheel:x:10:\nalice:x:1000:\n");
  if (*rc::gen::arbitrary<bool>()) {
    sys->AddFile("/etc/hosts", *Text(), {0644, 0, 0});
  }
  if (*rc::gen::arbitrary<bool>()) {
    sys->AddFile("/etc/hostname", *rc::gen::element<std::string>(
                                      "old\n", "web01\n", "# c\nbox.lan\n"));
  }
  if (*rc::gen::arbitrary<bool>()) {
    sys->AddFile(
        "/etc/a.conf", *Text(),
        {static_cast<uint32_t>(*rc::gen::inRange(0, 01000)), 1000, 10});
  }
  if (*rc::gen::arbitrary<bool>()) sys->AddSymlink("/etc/d/b", "/etc/passwd");
  bool live = *rc::gen::arbitrary<bool>();
  sys->set_live(live);
  sys->set_kernel_hostname("localhost");
}

RC_GTEST_PROP(FilesHostnameProperty, ApplyConvergesAndSecondApplyIsANoOp, ()) {
  FakeSystem sys;
  StartingMachine(&sys);
  json config = Config();
  std::string meta;
  if (*rc::gen::arbitrary<bool>()) {
    meta = "local-hostname: " +
           *rc::gen::element<std::string>("vm1.cloud.internal", "10.1.2.3",
                                          "plain") +
           "\n";
  }
  testing::Harness h({CompileWriteFiles, CompileHostname});
  std::string diags = h.Compile(config.dump(), meta);
  RC_LOG() << diags;
  // Warnings (an integer mode that looks octal) are fine; errors are not.
  RC_ASSERT(!h.diags().HasErrors());
  RC_ASSERT(h.Build().ok());

  ApplyReport first = h.ApplyOn(sys);
  for (const auto& r : first.results) {
    RC_LOG() << r.id << " " << OutcomeName(r.outcome) << " " << r.message
             << "\n";
  }
  RC_ASSERT(first.ok());

  Plan again = h.MakePlanOn(sys);
  RC_ASSERT(testing::PlanErrors(again) == "");
  RC_ASSERT(!again.HasChanges());

  int mutations = sys.mutation_count();
  ApplyReport second = h.ApplyOn(sys);
  RC_ASSERT(second.ok());
  RC_ASSERT(second.Count(Outcome::kChanged) == 0u);
  RC_ASSERT(sys.mutation_count() == mutations);
}

}  // namespace
}  // namespace flamingo
