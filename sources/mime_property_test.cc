// Properties of the MIME reader and the mergers.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sources/merge.h"
#include "sources/mime.h"

namespace flamingo {
namespace {

// Any list of part bodies written as a multipart message reads back the same.
RC_GTEST_PROP(MimeProperty, MultipartRoundTrip, ()) {
  auto bodies = *rc::gen::container<std::vector<std::string>>(
      rc::gen::container<std::string>(
          rc::gen::element('a', 'b', ' ', '\n', '-', '#', ':')));
  RC_PRE(!bodies.empty());
  const std::string boundary = "==XyZ-boundary-0123==";
  std::string msg =
      "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"" +
      boundary + "\"\n\n";
  for (const std::string& b : bodies) {
    msg += "--" + boundary + "\nContent-Type: text/plain\n\n" + b + "\n";
  }
  msg += "--" + boundary + "--\n";
  auto parsed = ParseMime(msg);
  RC_ASSERT(parsed.ok());
  std::vector<const MimePart*> leaves;
  CollectLeaves(*parsed, &leaves);
  RC_ASSERT(leaves.size() == bodies.size());
  for (size_t i = 0; i < bodies.size(); ++i)
    RC_ASSERT(leaves[i]->body == bodies[i]);
}

// Any bytes: ParseMime returns, and base64 of random bytes decodes back.
RC_GTEST_PROP(MimeProperty, Base64RoundTrip, (const std::string& raw)) {
  static const char* kAlpha =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string enc;
  size_t i = 0;
  for (; i + 2 < raw.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(raw[i]) << 16) |
                 (static_cast<unsigned char>(raw[i + 1]) << 8) |
                 static_cast<unsigned char>(raw[i + 2]);
    for (int s = 18; s >= 0; s -= 6) enc += kAlpha[(v >> s) & 63];
  }
  if (raw.size() - i == 1) {
    unsigned v = static_cast<unsigned char>(raw[i]) << 16;
    enc += std::string{kAlpha[(v >> 18) & 63], kAlpha[(v >> 12) & 63]} + "==";
  } else if (raw.size() - i == 2) {
    unsigned v = (static_cast<unsigned char>(raw[i]) << 16) |
                 (static_cast<unsigned char>(raw[i + 1]) << 8);
    enc += std::string{kAlpha[(v >> 18) & 63], kAlpha[(v >> 12) & 63],
                       kAlpha[(v >> 6) & 63]} +
           "=";
  }
  auto dec = DecodeBase64(enc);
  RC_ASSERT(dec.ok());
  RC_ASSERT(*dec == raw);
  (void)ParseMime(raw);
}

// Appending lists never loses or reorders items.
RC_GTEST_PROP(MergeProperty, ListAppendConcatenates,
              (const std::vector<int>& a, const std::vector<int>& b)) {
  Value la = Value::List(), lb = Value::List(), want = Value::List();
  for (int x : a) la.Append(Value::Int(x)), want.Append(Value::Int(x));
  for (int x : b) lb.Append(Value::Int(x)), want.Append(Value::Int(x));
  Value m = MergeValues(la, lb, {{"list", {"append"}}});
  RC_ASSERT(m == want);
}

}  // namespace
}  // namespace flamingo
