// The lazy registry answers as the combined schema does: the build-time
// index lists what parsing the fragments gives, and each key's schema
// compiled from its own fragments accepts and rejects exactly what the same
// key compiled within the combined document does (same diagnostics).
#include "schemas/schema_registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "schemas/embedded.h"
#include "schemas/yaml_loader.h"

namespace flamingo {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Msgs = std::vector<std::string>;

TEST(SchemaRegistry, IndexListsWhatParsingTheFragmentsGives) {
  auto fragments = EmbeddedSchemaFragments();
  std::map<std::string, std::vector<int>> expected;
  for (size_t i = 0; i < fragments.size(); ++i) {
    json f = json::parse(fragments[i].second);
    for (auto it = f["properties"].begin(); it != f["properties"].end(); ++it) {
      expected[it.key()].push_back(static_cast<int>(i));
    }
  }
  std::map<std::string, std::vector<int>> indexed;
  Msgs names;
  for (const EmbeddedSchemaKey& k : EmbeddedSchemaKeys()) {
    names.emplace_back(k.name);
    indexed[std::string(k.name)].assign(k.fragments.begin(), k.fragments.end());
  }
  EXPECT_EQ(indexed, expected);
  EXPECT_EQ(names.size(), expected.size());  // each key once
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(GetSchemaRegistry().implemented(), names);

  Msgs cloud_init(EmbeddedCloudInitKeyList().begin(),
                  EmbeddedCloudInitKeyList().end());
  EXPECT_EQ(cloud_init, ParseCloudInitKeyList(EmbeddedCloudInitKeys()));
  EXPECT_EQ(GetSchemaRegistry().cloud_init_keys(), cloud_init);
  EXPECT_GT(cloud_init.size(), 90u);
  // The run-time cross-check of the index agrees.
  EXPECT_EQ(GetSchemaRegistry().Problems(), Msgs{});
}

TEST(SchemaRegistry, ParseCloudInitKeyList) {
  EXPECT_EQ(ParseCloudInitKeyList("# comment\nb \r\n\na\nb\n#x\nc"),
            (Msgs{"a", "b", "c"}));
}

TEST(SchemaRegistry, ParsesOnlyTheFragmentsAKeyNeeds) {
  SchemaRegistry registry;  // fresh: nothing parsed yet
  EXPECT_TRUE(registry.IsImplemented("write_files"));
  EXPECT_TRUE(registry.IsCloudInitKey("apt"));
  EXPECT_FALSE(registry.IsImplemented("apt"));
  EXPECT_EQ(registry.ParsedFragments(), Msgs{});
  std::string error;
  EXPECT_NE(registry.KeySchema("write_files", &error), nullptr) << error;
  EXPECT_EQ(registry.ParsedFragments(), Msgs{"write_files"});
  EXPECT_NE(registry.KeySchema("users", &error), nullptr) << error;
  EXPECT_NE(registry.KeySchema("groups", &error), nullptr) << error;
  EXPECT_EQ(registry.ParsedFragments(), (Msgs{"users_groups", "write_files"}));
  EXPECT_EQ(registry.KeySchema("nope", &error), nullptr);
  EXPECT_EQ(error, "no schema for 'nope'");
  EXPECT_EQ(registry.Combined()["type"], "object");
  EXPECT_EQ(registry.ParsedFragments().size(),
            EmbeddedSchemaFragments().size());
}

TEST(SchemaRegistry, KeySchemaIsCompiledOnceAcrossThreads) {
  SchemaRegistry registry;
  std::vector<const Schema*> got(4, nullptr);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < got.size(); ++i) {
    threads.emplace_back([&registry, &got, i] {
      std::string error;
      got[i] = registry.KeySchema("users", &error);
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_NE(got[0], nullptr);
  for (const Schema* s : got) EXPECT_EQ(s, got[0]);
}

// Two fragments that both define "shared" (so: allOf of both), each with a
// $ref to its own $defs and to one they share.
constexpr std::string_view kFragA = R"({
  "properties": {
    "shared": {"type": "object", "properties": {"a": {"$ref": "#/$defs/a_t"},
               "c": {"$ref": "#/$defs/common"}}},
    "only_a": {"$ref": "#/$defs/common"}
  },
  "$defs": {"a_t": {"type": "integer", "maximum": 5},
            "common": {"enum": ["x", "y"]}}
})";
constexpr std::string_view kFragB = R"({
  "$comment": "b",
  "properties": {
    "shared": {"required": ["b"], "properties": {"b": {"$ref": "#/$defs/b_t"},
               "c": {"$ref": "#/$defs/common"}}}
  },
  "$defs": {"b_t": {"type": "string", "pattern": "^b"},
            "common": {"enum": ["x", "y"]}}
})";
constexpr int kA[] = {0};
constexpr int kAB[] = {0, 1};
constexpr EmbeddedSchemaKey kKeys[] = {{"only_a", kA}, {"shared", kAB}};
constexpr std::string_view kCloudInit[] = {"apt", "shared"};

SchemaSources TwoFragments(std::string_view b = kFragB) {
  return {
      {{"a", kFragA}, {"b", b}}, kKeys, "# keys\nshared\napt\n", kCloudInit};
}

TEST(SchemaRegistry, KeyOfTwoFragmentsIsCompiledAsInTheCombinedSchema) {
  SchemaRegistry registry(TwoFragments());
  std::string error;
  const Schema* lazy = registry.KeySchema("shared", &error);
  ASSERT_NE(lazy, nullptr) << error;
  EXPECT_EQ(registry.ParsedFragments(), (Msgs{"a", "b"}));
  const json& combined = registry.Combined();
  EXPECT_EQ(registry.Problems(), Msgs{});
  EXPECT_EQ(combined["properties"]["shared"]["allOf"].size(), 2u);
  auto full =
      Schema::CompileWithin(combined, combined["properties"]["shared"], &error);
  ASSERT_NE(full, nullptr) << error;
  size_t rejected = 0;
  for (const char* text : {"{a: 1, b: bee, c: x}", "{a: 9, b: sea, c: z}",
                           "{a: x}", "[1]", "{}", "{b: 1, c: [x]}"}) {
    Diagnostics d;
    auto value = LoadYaml(text, "user-data", &d);
    ASSERT_TRUE(value.has_value()) << text;
    Diagnostics lazy_diags, full_diags;
    lazy->Validate(*value, &lazy_diags);
    full->Validate(*value, &full_diags);
    ASSERT_EQ(lazy_diags.items().size(), full_diags.items().size()) << text;
    for (size_t i = 0; i < lazy_diags.items().size(); ++i) {
      EXPECT_EQ(lazy_diags.items()[i].ToString(),
                full_diags.items()[i].ToString());
    }
    rejected += lazy_diags.HasErrors();
  }
  EXPECT_EQ(rejected, 5u);
}

TEST(SchemaRegistry, ProblemsFindWhatTheBuildRejects) {
  // A conflicting $defs entry and an unexpected member in fragment b.
  SchemaRegistry conflict(TwoFragments(R"({
    "bogus": 1, "properties": {"shared": {}},
    "$defs": {"common": {"enum": ["z"]}}})"));
  EXPECT_EQ(conflict.Problems(),
            (Msgs{"schemas/keys/b.json: unexpected member 'bogus'",
                  "schemas/keys/b.json: $defs/common differs from the one in "
                  "a.json"}));
  // Fragment b does not parse: "shared" is no longer what the index says.
  SchemaRegistry broken(TwoFragments("{\"properties\": "));
  EXPECT_EQ(broken.Problems(),
            (Msgs{"schemas/keys/b.json: not a JSON object",
                  "the build-time index lists the wrong fragments for "
                  "'shared'"}));
  std::string error;
  EXPECT_EQ(broken.KeySchema("shared", &error), nullptr);
  EXPECT_EQ(error,
            "schema of 'shared': schemas/keys/b.json: not a JSON object");
}

TEST(SchemaRegistry, AProblemInAKeysOnlyFragmentIsItsCompileError) {
  constexpr int k0[] = {0};
  const EmbeddedSchemaKey keys[] = {{"only_a", k0}};
  SchemaRegistry registry(
      {{{"a", R"({"bogus": 1, "properties": {"only_a": {}}})"}}, keys, "", {}});
  std::string error;
  EXPECT_EQ(registry.KeySchema("only_a", &error), nullptr);
  EXPECT_EQ(error,
            "schema of 'only_a': schemas/keys/a.json: unexpected member "
            "'bogus'");
  EXPECT_EQ(registry.AllProblems(),
            (Msgs{"schemas/keys/a.json: unexpected member 'bogus'", error}));
}

// Validates one top-level value with the lazily compiled schema of `key` and
// with `key` compiled within the full combined document.
class LazyEqualsCombined : public ::testing::Test {
 protected:
  static std::string Render(const Diagnostics& d) {
    std::string out;
    for (const auto& item : d.items()) out += item.ToString() + "\n";
    return out;
  }

  // Compares both schemas on every implemented key of `config` (a map);
  // returns the lazy diagnostics.
  std::string Compare(const Value& config, const std::string& where) {
    std::string all;
    for (const auto& [key, value] : config.entries()) {
      if (!registry_.IsImplemented(key)) continue;
      std::string error;
      const Schema* lazy = registry_.KeySchema(key, &error);
      EXPECT_NE(lazy, nullptr) << key << ": " << error;
      const Schema* full = Full(key);
      if (lazy == nullptr || full == nullptr) continue;
      Diagnostics lazy_diags, full_diags;
      lazy->Validate(value, &lazy_diags);
      full->Validate(value, &full_diags);
      EXPECT_EQ(Render(lazy_diags), Render(full_diags)) << where << ": " << key;
      all += Render(lazy_diags);
      ++compared_;
    }
    return all;
  }

  std::string CompareText(const std::string& text) {
    Diagnostics diags;
    auto config = LoadYaml(text, "user-data", &diags);
    EXPECT_TRUE(config && config->is_map()) << text;
    return config && config->is_map() ? Compare(*config, text) : "";
  }

  const Schema* Full(const std::string& key) {
    auto& slot = full_[key];
    if (!slot) {
      const json& combined = registry_.Combined();
      std::string error;
      slot =
          Schema::CompileWithin(combined, combined["properties"][key], &error);
      EXPECT_NE(slot, nullptr) << key << ": " << error;
    }
    return slot.get();
  }

  SchemaRegistry registry_;
  std::map<std::string, std::unique_ptr<Schema>> full_;
  size_t compared_ = 0;
};

TEST_F(LazyEqualsCombined, OnTheCorpus) {
  const fs::path corpus = fs::path(FLAMINGO_SHARED_DIR) / "corpus";
  if (!fs::exists(corpus)) GTEST_SKIP() << "no corpus at " << corpus;
  std::vector<fs::path> files;
  for (const char* dir : {"cloud-init/examples", "cloud-init/examples-doc",
                          "coreos-cloudinit/examples", "flamingo-go"}) {
    for (const auto& e : fs::recursive_directory_iterator(corpus / dir)) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  size_t with_errors = 0;
  for (const fs::path& p : files) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream text;
    text << f.rdbuf();
    Diagnostics diags;
    auto config = LoadYaml(text.str(), p.string(), &diags);
    if (!config || !config->is_map()) continue;
    with_errors += !Compare(*config, p.string()).empty();
  }
  EXPECT_GT(compared_, 100u);  // top-level values of implemented keys (124)
  EXPECT_GT(with_errors, 0u);  // flamingo-go, coreos: some do not validate
}

TEST_F(LazyEqualsCombined, OnBadValuesOfEveryKey) {
  const Msgs bad_values = {"42",
                           "x",
                           "true",
                           "~",
                           "[1, 2.5]",
                           "{a: 1}",
                           "[{bogus: 1}]",
                           "[[x]]",
                           "{name: 1, bogus: {nested: [1]}, path: {}}"};
  for (const std::string& key : registry_.implemented()) {
    size_t rejected = 0;
    for (const std::string& value : bad_values) {
      rejected += !CompareText(key + ": " + value + "\n").empty();
    }
    EXPECT_GT(rejected, 0u) << key;  // the comparison sees errors
  }
  EXPECT_EQ(compared_, registry_.implemented().size() * bad_values.size());
}

TEST_F(LazyEqualsCombined, OnHandWrittenBadConfigs) {
  for (const char* text : {
           "write_files:\n  - path: /a\n    owner: [root]\n    bogus: 1\n"
           "    source: {uri: 1, headers: {a: [1]}}\n",
           "users:\n  - default\n  - name: bob\n    groups: 5\n"
           "    sudo: {x: 1}\n    ssh_authorized_keys: key\n    shell: []\n"
           "    lock_passwd: maybe\n    nested: {deep: true}\n"
           "  - 42\ngroups:\n  - admins: [1, {a: b}]\n  - [x]\n"
           "user: {name: 3}\nsystem_info: {default_user: []}\n",
           "firewall:\n  policy: {input: maybe}\n  rules:\n"
           "    - {port: 99999, proto: icmpx, from: [300.1.1.1]}\n"
           "  bogus: 1\n",
           "systemd:\n  units:\n    - name: 1\n      enabled: yes-ish\n"
           "      dropins: [{name: x}]\ncoreos: {units: [{command: 5}]}\n",
           "bootcmd: [[1, [2]], {a: b}]\nruncmd: 7\nflamingo: {bogus: 1}\n",
           "chpasswd: {list: 5, users: [{name: 1, type: rot13}]}\n"
           "ssh_pwauth: sometimes\npassword: [1]\n",
           "ssh_authorized_keys: {a: 1}\ndisable_root_opts: []\n"
           "manage_etc_hosts: localhst\nhostname: 42\n",
       }) {
    EXPECT_NE(CompareText(text), "") << text;
  }
}

}  // namespace
}  // namespace flamingo
