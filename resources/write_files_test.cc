// Compiling write_files: semantic errors with their positions, merging.
#include "resources/write_files.h"

#include <gtest/gtest.h>

#include "engine/codec.h"
#include "resources/file_resource.h"
#include "resources/resource_testing.h"

namespace flamingo {
namespace {

using testing::Harness;

const FileResource& FileAt(const Harness& h, size_t i) {
  return dynamic_cast<const FileResource&>(h.graph().at(i));
}

std::string Literal(const FileSpec& s) {
  std::string out = s.literal;
  for (const auto& p : s.pieces) out += p.literal;
  return out;
}

TEST(WriteFilesCompileTest, NoKeyNoResources) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("runcmd: []\n"), "");
  EXPECT_EQ(h.graph().size(), 0u);
}

TEST(WriteFilesCompileTest, AllPropertiesAreRead) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n"
                      "- path: /etc/app.conf\n"
                      "  content: aGVsbG8=\n"
                      "  encoding: b64\n"
                      "  owner: app:staff\n"
                      "  permissions: '0640'\n"
                      "  append: true\n"
                      "  defer: true\n"),
            "");
  ASSERT_EQ(h.graph().size(), 1u);
  const FileSpec& s = FileAt(h, 0).spec();
  EXPECT_EQ(s.path, "/etc/app.conf");
  EXPECT_EQ(Literal(s), "hello");
  EXPECT_EQ(s.owner_names().user, "app");
  EXPECT_EQ(s.owner_names().group, "staff");
  EXPECT_EQ(s.mode, 0640u);
  EXPECT_TRUE(s.append);
  EXPECT_TRUE(s.defer);
  EXPECT_EQ(s.origin.Format(), "user-data:2:3");
  EXPECT_EQ(FileAt(h, 0).Stage(), kStageDeferred);
}

TEST(WriteFilesCompileTest, DefaultsAreCloudInits) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: /root/CLOUD_INIT_WAS_HERE\n"), "");
  const FileSpec& s = FileAt(h, 0).spec();
  EXPECT_EQ(Literal(s), "");
  EXPECT_EQ(s.owner_names().user, "root");
  EXPECT_EQ(s.owner_names().group, "root");
  EXPECT_EQ(s.mode, 0644u);
  EXPECT_FALSE(s.append);
  EXPECT_FALSE(s.defer);
  EXPECT_EQ(FileAt(h, 0).Stage(), kStageDefault);
}

TEST(WriteFilesCompileTest, RelativePathIsTakenFromRoot) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: etc/../etc//x/\n"), "");
  EXPECT_EQ(FileAt(h, 0).Name(), "/etc/x");
}

TEST(WriteFilesCompileTest, EdgesNameAncestorsAndOwner) {
  Harness h({CompileWriteFiles});
  h.Compile("write_files:\n- path: /a/b/c\n  owner: bob:devs\n");
  const FileResource& f = FileAt(h, 0);
  EXPECT_EQ(f.Provides(), std::vector<std::string>{"path:/a/b/c"});
  EXPECT_EQ(f.Requires(),
            (std::vector<std::string>{"path:/a/b", "path:/a", "user:bob",
                                      "group:devs", "user:devs"}));
}

TEST(WriteFilesCompileTest, BadBase64NamesItsPlace) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n"
                      "- path: /a\n"
                      "- path: /b\n"
                      "- path: /c\n"
                      "  encoding: b64\n"
                      "  content: QUJDR\n"),
            "user-data:6:12: write_files[2].content: invalid base64: the "
            "number of data characters (5) cannot be 1 more than a multiple "
            "of 4\n");
  EXPECT_EQ(h.graph().size(), 2u);
}

TEST(WriteFilesCompileTest, BadGzipNamesItsPlace) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n"
                      "- path: /a\n"
                      "  encoding: gz+b64\n"
                      "  content: aGVsbG8=\n"),
            "user-data:4:12: write_files[0].content: invalid gzip data: not "
            "in gzip format\n");
}

TEST(WriteFilesCompileTest, TruncatedGzipNamesItsPlace) {
  std::string gz = GzipCompress("a long enough text to be cut short");
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n"
                      "- path: /a\n"
                      "  encoding: gzip\n"
                      "  content: !!binary " +
                      Base64Encode(gz.substr(0, gz.size() - 10)) + "\n"),
            "user-data:4:12: write_files[0].content: invalid gzip data: "
            "truncated\n");
}

TEST(WriteFilesCompileTest, BadBinaryNamesItsPlace) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: /a\n  content: !!binary QQ\n"),
            "user-data:3:12: write_files[0].content: invalid !!binary data: "
            "invalid base64: incorrect padding\n");
}

TEST(WriteFilesCompileTest, BadPermissionsNamesItsPlace) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: /a\n  permissions: '0999'\n"),
            "user-data:3:16: write_files[0].permissions: invalid permissions "
            "\"0999\": expected an octal number such as \"0644\"\n");
  EXPECT_EQ(h.graph().size(), 0u);
}

TEST(WriteFilesCompileTest, DecimalLookingOctalPermissionsWarn) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: /a\n  permissions: 644\n"),
            "user-data:3:16: warning: write_files[0].permissions: permissions "
            "644 is the decimal number 644 (mode 1204); write '0644' for mode "
            "0644\n");
  EXPECT_EQ(FileAt(h, 0).spec().mode, 644u);  // as cloud-init takes it
}

TEST(WriteFilesCompileTest, UnquotedLeadingZeroOctalIsFine) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: /a\n  permissions: 0640\n"), "");
  EXPECT_EQ(FileAt(h, 0).spec().mode, 0640u);
}

TEST(WriteFilesCompileTest, UnknownEncodingNamesItsPlace) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: /a\n  encoding: rot13\n"
                      "  content: x\n"),
            "user-data:3:13: write_files[0].encoding: unknown encoding "
            "\"rot13\"; expected one of: text/plain, b64, base64, gz, gzip, "
            "gz+b64, gz+base64, gzip+b64, gzip+base64\n");
}

TEST(WriteFilesCompileTest, MissingPathIsAnError) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- content: x\n"),
            "user-data:2:3: write_files[0]: missing required key \"path\"\n");
}

TEST(WriteFilesCompileTest, EmptyPathIsAnError) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: ''\n"),
            "user-data:2:9: write_files[0].path: path must not be empty\n");
}

TEST(WriteFilesCompileTest, PathWithANulByteIsAnError) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: \"/tmp/a\\0b\"\n"),
            "user-data:2:9: write_files[0].path: path must not contain a NUL "
            "byte\n");
}

TEST(WriteFilesCompileTest, RootPathIsAnError) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: /\n"),
            "user-data:2:9: write_files[0].path: path must name a file\n");
}

TEST(WriteFilesCompileTest, NotAListIsAnError) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files: /etc/x\n"),
            "user-data:1:14: write_files: expected a list, got a string\n");
}

TEST(WriteFilesCompileTest, EntryNotAMapIsAnError) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- /etc/x\n"),
            "user-data:2:3: write_files[0]: expected a map, got a string\n");
}

TEST(WriteFilesCompileTest, NonBoolAppendIsAnError) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: /a\n  append: maybe\n"),
            "user-data:3:11: write_files[0].append: expected true or false, "
            "got a string\n");
}

TEST(WriteFilesCompileTest, RelativeFileUriIsAnError) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: /a\n  source:\n"
                      "    uri: file://srv/x\n"),
            "user-data:4:10: write_files[0].source.uri: file:// URI must "
            "name an absolute path (file:///path)\n");
}

TEST(WriteFilesCompileTest, UnsupportedUriSchemeIsAnError) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: /a\n  source:\n"
                      "    uri: ftp://host/x\n"),
            "user-data:4:10: write_files[0].source.uri: unsupported URI "
            "\"ftp://host/x\"; expected file://, http:// or https://\n");
}

TEST(WriteFilesCompileTest, HttpSourceCompilesCleanly) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n- path: /a\n  content: fallback\n"
                      "  source:\n    uri: https://example.com/x\n"
                      "    headers: {Authorization: Bearer t}\n"),
            "");
  EXPECT_FALSE(h.diags().HasErrors());
  EXPECT_EQ(h.graph().size(), 1u);
}

TEST(WriteFilesCompileTest, EveryBadEntryIsReported) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n"
                      "- path: /a\n  permissions: x\n"
                      "- path: /b\n  encoding: b64\n  content: Q\n"),
            "user-data:3:16: write_files[0].permissions: invalid permissions "
            "\"x\": expected an octal number such as \"0644\"\n"
            "user-data:6:12: write_files[1].content: invalid base64: the "
            "number of data characters (1) cannot be 1 more than a multiple "
            "of 4\n");
}

TEST(WriteFilesMergeTest, LaterEntryForSamePathWins) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n"
                      "- path: /x\n  content: one\n  permissions: '0600'\n"
                      "- path: /y\n"
                      "- path: /x\n  content: two\n"),
            "");
  ASSERT_EQ(h.graph().size(), 2u);
  const FileSpec& s = FileAt(h, 0).spec();
  EXPECT_EQ(s.path, "/x");
  EXPECT_EQ(Literal(s), "two");
  EXPECT_EQ(s.mode, 0644u);
  EXPECT_EQ(FileAt(h, 1).Name(), "/y");
}

// Paths interleaved, one three times: one spec per path, in the order of
// first appearance, each entry's content in config order.
TEST(WriteFilesMergeTest, InterleavedPathsKeepTheirFirstPlace) {
  Harness h({CompileWriteFiles});
  EXPECT_EQ(h.Compile("write_files:\n"
                      "- {path: /z, content: z1}\n"
                      "- {path: /a, content: a1}\n"
                      "- {path: /z, content: z2, append: true}\n"
                      "- {path: /m, content: m1}\n"
                      "- {path: /a, content: a2}\n"
                      "- {path: /z, content: z3, append: true}\n"),
            "");
  ASSERT_EQ(h.graph().size(), 3u);
  std::vector<std::string> got;
  for (size_t i = 0; i < 3; ++i) {
    got.push_back(FileAt(h, i).Name() + "=" + Literal(FileAt(h, i).spec()));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"/z=z1z2z3", "/a=a2", "/m=m1"}));
}

TEST(WriteFilesMergeTest, AppendEntryAppendsToEarlierContent) {
  Harness h({CompileWriteFiles});
  h.Compile(
      "write_files:\n"
      "- path: /x\n  content: \"one\\n\"\n"
      "- path: /x\n  content: \"two\\n\"\n  append: true\n"
      "  owner: bin:bin\n");
  ASSERT_EQ(h.graph().size(), 1u);
  const FileSpec& s = FileAt(h, 0).spec();
  EXPECT_EQ(Literal(s), "one\ntwo\n");
  EXPECT_FALSE(s.append);  // the first entry overwrites
  EXPECT_EQ(s.owner_names().user, "bin");
}

TEST(WriteFilesMergeTest, TwoAppendsStayAnAppend) {
  Harness h({CompileWriteFiles});
  h.Compile(
      "write_files:\n"
      "- path: /x\n  content: a\n  append: true\n"
      "- path: /x\n  content: b\n  append: true\n");
  const FileSpec& s = FileAt(h, 0).spec();
  EXPECT_EQ(Literal(s), "ab");
  EXPECT_TRUE(s.append);
}

TEST(WriteFilesMergeTest, OverwriteAfterAppendReplaces) {
  Harness h({CompileWriteFiles});
  h.Compile(
      "write_files:\n"
      "- path: /x\n  content: a\n  append: true\n"
      "- path: /x\n  content: b\n");
  const FileSpec& s = FileAt(h, 0).spec();
  EXPECT_EQ(Literal(s), "b");
  EXPECT_FALSE(s.append);
}

TEST(WriteFilesMergeTest, PathsMergeAfterNormalization) {
  Harness h({CompileWriteFiles});
  h.Compile(
      "write_files:\n- path: /etc//x\n  content: a\n"
      "- path: /etc/./x\n  content: b\n");
  ASSERT_EQ(h.graph().size(), 1u);
  EXPECT_EQ(Literal(FileAt(h, 0).spec()), "b");
}

}  // namespace
}  // namespace flamingo
