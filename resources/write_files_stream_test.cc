// The streamed compile of write_files (ItemStream: each item checked and
// compiled as it is parsed) against the whole-tree compile: for random
// documents, valid and not, the same diagnostics in the same order and the
// same resources.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "resources/file_resource.h"
#include "resources/kinds.h"
#include "schemas/cloud_config.h"
#include "sources/userdata.h"

namespace flamingo {
namespace {

struct Outcome {
  std::string diagnostics;             // one per line, in order
  std::vector<std::string> resources;  // graph order, with their specs
  bool streamed = false;               // write_files was streamed
};

std::string Describe(const Resource& r) {
  std::string s =
      r.Id() + " at " + r.Origin() + " stage " + std::to_string(r.Stage());
  if (const auto* f = dynamic_cast<const FileResource*>(&r)) {
    const FileSpec& spec = f->spec();
    s += " mode " + std::to_string(spec.mode) + (spec.append ? " append" : "") +
         (spec.defer ? " defer" : "") + " owner " + spec.owner_names().user +
         ":" + spec.owner_names().group + " (" + spec.owner_where() + ")";
    s += " {" + spec.literal + "}";
    for (const ContentPiece& p : spec.pieces) {
      s += " [" + p.literal + "]";
      if (p.source) s += " <" + p.source->uri + " " + p.source->where + ">";
    }
  }
  return s;
}

// Decodes, validates and compiles `user_data` as a session does.
Outcome Compile(const std::string& user_data, bool strict, bool stream) {
  Outcome out;
  Diagnostics diags;
  std::unique_ptr<ItemStream> s = stream ? MakeItemStream() : nullptr;
  UserDataOptions options;
  options.item_sink = s.get();
  ProcessedUserData p =
      ProcessUserData(user_data, "", options, &diags, nullptr);
  if (const Value* wf = p.config.Get("write_files")) {
    out.streamed = wf->is_streamed();
  }
  ValidateCloudConfig(p.config, strict, &diags, s ? &s->validation() : nullptr);
  Value meta = Value::Map();
  RunInfo run;
  CompileInput in{p.config, meta, p.scripts, run, false, s.get()};
  Graph graph;
  CompileAll(in, &graph, &diags);
  for (const auto& d : diags.items()) out.diagnostics += d.ToString() + "\n";
  for (size_t i = 0; i < graph.size(); ++i) {
    out.resources.push_back(Describe(graph.at(i)));
  }
  return out;
}

// Items, valid and not (schema errors, compile errors, merges of one path).
const std::vector<std::string>& Items() {
  static const auto* items = new std::vector<std::string>{
      "  - path: /etc/a.conf\n    content: hello\n",
      "  - path: /etc/a.conf\n    append: true\n    content: more\n",
      "  - path: /srv/x/f\n    permissions: \"0600\"\n    owner: alice:wheel\n",
      "  - {path: /etc/b, encoding: b64, content: aGVsbG8=}\n",
      "  - {path: /etc/c, source: {uri: \"file:///nope\"}, defer: true}\n",
      "  - {path: /etc/d, permissions: 0755, content: \"x\\ny\\n\"}\n",
      "  - &item {path: /etc/anchored, content: anchored}\n",
      "  - pth: /etc/typo\n",
      "  - path: 5\n",
      "  - {path: /etc/bad64, encoding: b64, content: \"!!!\"}\n",
      "  - {path: /etc/badmode, permissions: \"99x\"}\n",
      "  - {path: /etc/owner, owner: [a]}\n",
      "  - just a string\n",
      "  - path: relative/file\n",
      "  - {path: /etc/enc, encoding: rot13}\n",
      "  -\n",
  };
  return *items;
}

std::string WriteFilesBlock() {
  std::string text = "write_files:\n";
  const int n = *rc::gen::inRange(1, 7);
  bool anchored = false;
  for (int i = 0; i < n; ++i) {
    // An alias to the anchored item, once it was written.
    if (anchored && *rc::gen::inRange(0, 6) == 0) {
      text += "  - *item\n";
      continue;
    }
    const size_t k = *rc::gen::inRange<size_t>(0, Items().size());
    if (Items()[k].find("&item") != std::string::npos) {
      if (anchored) continue;  // an anchor is written once
      anchored = true;
    }
    text += Items()[k];
  }
  return text;
}

std::string Document() {
  std::string text = "#cloud-config\n";
  const int parts = *rc::gen::inRange(1, 5);
  for (int i = 0; i < parts; ++i) {
    switch (*rc::gen::inRange(0, 12)) {
      case 0:
        text += "hostname: web01\n";
        break;
      case 1:
        text += "unknown_key: 1\n";
        break;
      case 2:
        text += "write_files: []\n";
        break;
      case 3:
        text += "write_files: not a list\n";
        break;
      case 4:
        text += "runcmd: [ls]\n";
        break;
      default:
        text += WriteFilesBlock();
        break;
    }
  }
  // Mostly a list last, which is then the one that counts.
  if (*rc::gen::inRange(0, 4) != 0) text += WriteFilesBlock();
  if (*rc::gen::arbitrary<bool>()) text += "fqdn: web01.example.com\n";
  return text;
}

RC_GTEST_PROP(WriteFilesStream, SameDiagnosticsAndResourcesAsTheTree, ()) {
  const std::string doc = Document();
  const bool strict = *rc::gen::arbitrary<bool>();
  Outcome tree = Compile(doc, strict, /*stream=*/false);
  Outcome streamed = Compile(doc, strict, /*stream=*/true);
  RC_ASSERT(!tree.streamed);
  RC_TAG(streamed.streamed ? "streamed" : "not streamed");
  RC_ASSERT(streamed.diagnostics == tree.diagnostics);
  RC_ASSERT(streamed.resources == tree.resources);
}

TEST(WriteFilesStream, AListIsStreamedAndCompiledOnce) {
  const std::string doc =
      "#cloud-config\n"
      "write_files:\n"
      "  - {path: /etc/a, content: one}\n"
      "  - {path: /etc/a, append: true, content: two}\n"
      "  - {path: /etc/b, permissions: \"99x\"}\n";
  Outcome tree = Compile(doc, false, false);
  Outcome streamed = Compile(doc, false, true);
  EXPECT_TRUE(streamed.streamed);
  EXPECT_EQ(streamed.diagnostics, tree.diagnostics);
  // A compile error (the schema takes any string as permissions).
  EXPECT_EQ(tree.diagnostics,
            "user-data:5:33: write_files[2].permissions: invalid permissions "
            "\"99x\": expected an octal number such as \"0644\"\n");
  EXPECT_EQ(streamed.resources, tree.resources);
}

TEST(WriteFilesStream, ContainersAndVendorDataAreNotStreamed) {
  auto streamed = [](const std::string& user, const std::string& vendor) {
    Diagnostics diags;
    std::unique_ptr<ItemStream> s = MakeItemStream();
    UserDataOptions options;
    options.item_sink = s.get();
    ProcessedUserData p =
        ProcessUserData(user, vendor, options, &diags, nullptr);
    const Value* wf = p.config.Get("write_files");
    return wf != nullptr && wf->is_streamed();
  };
  const std::string cc = "#cloud-config\nwrite_files: [{path: /a}]\n";
  EXPECT_TRUE(streamed(cc, ""));
  EXPECT_FALSE(streamed(cc, "#cloud-config\nhostname: v\n"));
  EXPECT_FALSE(streamed(
      "Content-Type: multipart/mixed; boundary=\"B\"\nMIME-Version: 1.0\n\n"
      "--B\nContent-Type: text/cloud-config\n\n" +
          cc + "--B--\n",
      ""));
}

TEST(WriteFilesStream, AStreamedListWithoutItsStreamIsAnError) {
  Diagnostics diags;
  std::unique_ptr<ItemStream> s = MakeItemStream();
  UserDataOptions options;
  options.item_sink = s.get();
  ProcessedUserData p =
      ProcessUserData("#cloud-config\nwrite_files: [{path: /a}]\n", "", options,
                      &diags, nullptr);
  ASSERT_TRUE(p.config.Get("write_files")->is_streamed());
  ValidateCloudConfig(p.config, false, &diags, nullptr);
  ASSERT_EQ(diags.items().size(), 1u);
  EXPECT_EQ(diags.items()[0].ToString(),
            "user-data:2:14: write_files: internal error: a streamed list "
            "without its diagnostics");
  // Compiled without the stream (the validation was fine).
  Diagnostics compiled;
  Value meta = Value::Map();
  RunInfo run;
  CompileInput in{p.config, meta, p.scripts, run};
  Graph graph;
  CompileAll(in, &graph, &compiled);
  for (size_t i = 0; i < graph.size(); ++i) {
    EXPECT_NE(graph.at(i).Kind(), "file") << graph.at(i).Id();
  }
  ASSERT_EQ(compiled.items().size(), 1u);
  EXPECT_EQ(compiled.items()[0].ToString(),
            "user-data:2:14: write_files: internal error: a streamed list "
            "without its stream");
}

}  // namespace
}  // namespace flamingo
