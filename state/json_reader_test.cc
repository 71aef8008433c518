#include "state/json_reader.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace flamingo {
namespace {

std::string ReadString(std::string_view text) {
  JsonReader in(text);
  std::string s = in.String();
  in.End();
  return s;
}

std::string ErrorOf(std::string_view text, void (*read)(JsonReader&)) {
  JsonReader in(text);
  try {
    read(in);
    in.End();
  } catch (const JsonReadError& e) {
    return e.what();
  }
  return "";
}

void SkipOne(JsonReader& in) { in.Skip(); }

TEST(JsonReaderTest, ReadsObjectsArraysAndScalars) {
  JsonReader in(
      R"( { "a" : [1, -20, 9223372036854775807, -9223372036854775808],
            "b": {"t": true, "f": false}, "c": "x", "d": {} , "e": [] } )");
  std::vector<int64_t> ints;
  std::map<std::string, bool> bools;
  std::string c;
  int empties = 0;
  in.Object([&](const std::string& key) {
    if (key == "a") {
      in.Array([&] { ints.push_back(in.Int()); });
    } else if (key == "b") {
      in.Object([&](const std::string& k) { bools[k] = in.Bool(); });
    } else if (key == "c") {
      c = in.String();
    } else if (key == "d") {
      in.Object([&](const std::string&) { FAIL() << "empty object"; });
      ++empties;
    } else {
      in.Array([&] { FAIL() << "empty array"; });
      ++empties;
    }
  });
  in.End();
  EXPECT_EQ(ints, (std::vector<int64_t>{1, -20, INT64_MAX, INT64_MIN}));
  EXPECT_EQ(bools, (std::map<std::string, bool>{{"f", false}, {"t", true}}));
  EXPECT_EQ(c, "x");
  EXPECT_EQ(empties, 2);
}

TEST(JsonReaderTest, DecodesEscapesAndKeepsUtf8) {
  EXPECT_EQ(ReadString(R"("q\"b\\s\/ \b\f\n\r\t")"), "q\"b\\s/ \b\f\n\r\t");
  EXPECT_EQ(ReadString(R"("\u0001\u00e9\u20AC\ud83d\ude00")"),
            "\x01\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(ReadString("\"caf\xC3\xA9 \xF0\x9F\x98\x80\""),
            "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(ReadString(R"("\u0000")"), std::string(1, '\0'));
}

// What nlohmann writes, the reader reads back: every byte value escaped or
// not, as dump() escapes it.
TEST(JsonReaderTest, ReadsWhatNlohmannWrites) {
  std::string all;
  for (int c = 1; c < 0x80; ++c) all.push_back(static_cast<char>(c));
  all += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  EXPECT_EQ(ReadString(nlohmann::json(all).dump()), all);
  EXPECT_EQ(ReadString(nlohmann::json(all).dump(-1, ' ', true)), all);
}

TEST(JsonReaderTest, RejectsMalformedTextNamingTheOffset) {
  EXPECT_EQ(ErrorOf(R"({"a" 1})", SkipOne), "offset 5: expected ':'");
  EXPECT_EQ(ErrorOf(R"({"a": 1,})", SkipOne),
            "offset 8: expected a member name");
  EXPECT_EQ(ErrorOf("[1, 2", SkipOne), "offset 5: expected ']'");
  EXPECT_EQ(ErrorOf("\"abc", SkipOne), "offset 4: unterminated string");
  EXPECT_EQ(ErrorOf("\"a\nb\"", SkipOne),
            "offset 2: control character in a string");
  EXPECT_EQ(ErrorOf("\"\\x\"", SkipOne), "offset 2: bad escape");
  EXPECT_EQ(ErrorOf("\"\\ud800x\"", SkipOne), "offset 7: lone high surrogate");
  EXPECT_EQ(ErrorOf("\"\\udc00\"", SkipOne), "offset 7: lone low surrogate");
  EXPECT_EQ(ErrorOf("\"\\u12g4\"", SkipOne), "offset 3: bad \\u escape");
  EXPECT_EQ(ErrorOf("\"\xFF\"", SkipOne),
            "offset 1: invalid UTF-8 in a string");
  EXPECT_EQ(ErrorOf("\"\xC0\xAF\"", SkipOne),
            "offset 1: invalid UTF-8 in a string");  // overlong '/'
  EXPECT_EQ(ErrorOf("\"\xED\xA0\x80\"", SkipOne),
            "offset 1: invalid UTF-8 in a string");  // a surrogate
  EXPECT_EQ(ErrorOf("01", SkipOne), "offset 0: leading zero in a number");
  EXPECT_EQ(ErrorOf("1.", SkipOne), "offset 2: expected a digit after '.'");
  EXPECT_EQ(ErrorOf("1e", SkipOne),
            "offset 2: expected a digit in the exponent");
  EXPECT_EQ(ErrorOf("-", SkipOne), "offset 1: expected a number");
  EXPECT_EQ(ErrorOf("nul", SkipOne), "offset 0: expected null");
  EXPECT_EQ(ErrorOf("{} x", SkipOne), "offset 3: text after the document");
  EXPECT_EQ(ErrorOf("", SkipOne), "offset 0: unexpected end");
  EXPECT_EQ(ErrorOf("  ", SkipOne), "offset 2: unexpected end");
}

TEST(JsonReaderTest, RejectsValuesOfAnotherType) {
  EXPECT_EQ(ErrorOf("1.5", [](JsonReader& in) { (void)in.Int(); }),
            "offset 0: expected an integer");
  EXPECT_EQ(ErrorOf("1e3", [](JsonReader& in) { (void)in.Int(); }),
            "offset 0: expected an integer");
  EXPECT_EQ(
      ErrorOf("9223372036854775808", [](JsonReader& in) { (void)in.Int(); }),
      "offset 0: integer out of range");
  EXPECT_EQ(
      ErrorOf("-9223372036854775809", [](JsonReader& in) { (void)in.Int(); }),
      "offset 0: integer out of range");
  EXPECT_EQ(ErrorOf("\"1\"", [](JsonReader& in) { (void)in.Int(); }),
            "offset 0: expected an integer");
  EXPECT_EQ(ErrorOf("null", [](JsonReader& in) { (void)in.String(); }),
            "offset 0: expected a string");
  EXPECT_EQ(ErrorOf("1", [](JsonReader& in) { (void)in.Bool(); }),
            "offset 0: expected true or false");
  EXPECT_EQ(ErrorOf("[]",
                    [](JsonReader& in) {
                      in.Object([&](const std::string&) { in.Skip(); });
                    }),
            "offset 0: expected '{'");
}

TEST(JsonReaderTest, SkipBoundsItsNesting) {
  const std::string deep(100000, '[');
  EXPECT_EQ(ErrorOf(deep, SkipOne), "offset 256: nested too deeply");
  std::string ok = std::string(200, '[') + std::string(200, ']');
  EXPECT_EQ(ErrorOf(ok, SkipOne), "");
}

}  // namespace
}  // namespace flamingo
