#include "engine/codec.h"

#include <zlib.h>

#include <array>
#include <cstdint>

namespace flamingo {

namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// -1: not in the alphabet.
constexpr std::array<int8_t, 256> MakeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i)
    t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr std::array<int8_t, 256> kTable = MakeTable();

}  // namespace

Result<std::string> Base64Decode(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3);
  uint32_t acc = 0;
  int quad = 0;     // data characters in the current quad
  size_t data = 0;  // data characters in total
  size_t i = 0;
  for (; i < in.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c == '=') {
      if (quad < 2) continue;  // Python ignores it
      // Padding: a quad of 2 data characters needs "==", of 3 needs "=".
      int need = quad == 2 ? 1 : 0;  // more '=' after this one
      size_t j = i + 1;
      for (; j < in.size() && need > 0; ++j) {
        unsigned char d = static_cast<unsigned char>(in[j]);
        if (d == '=') {
          --need;
        } else if (kTable[d] >= 0) {
          break;
        }
      }
      if (need > 0) return Status::Error("invalid base64: incorrect padding");
      if (quad == 2) {
        out.push_back(static_cast<char>((acc >> 4) & 0xff));
      } else {
        out.push_back(static_cast<char>((acc >> 10) & 0xff));
        out.push_back(static_cast<char>((acc >> 2) & 0xff));
      }
      return out;  // anything after the padding is ignored, as Python does
    }
    int v = kTable[c];
    if (v < 0) continue;  // not in the alphabet: skipped
    acc = (acc << 6) | static_cast<uint32_t>(v);
    ++data;
    if (++quad == 4) {
      out.push_back(static_cast<char>((acc >> 16) & 0xff));
      out.push_back(static_cast<char>((acc >> 8) & 0xff));
      out.push_back(static_cast<char>(acc & 0xff));
      acc = 0;
      quad = 0;
    }
  }
  if (quad == 1) {
    return Status::Error("invalid base64: the number of data characters (" +
                         std::to_string(data) +
                         ") cannot be 1 more than a multiple of 4");
  }
  if (quad != 0) return Status::Error("invalid base64: incorrect padding");
  return out;
}

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) |
                 (static_cast<uint8_t>(in[i + 1]) << 8) |
                 static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint32_t>(static_cast<uint8_t>(in[i]) << 16);
    if (rest == 2)
      n |= static_cast<uint32_t>(static_cast<uint8_t>(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool LooksGzipped(std::string_view data) {
  return data.size() >= 2 && static_cast<uint8_t>(data[0]) == 0x1f &&
         static_cast<uint8_t>(data[1]) == 0x8b;
}

Result<std::string> GunzipLimited(std::string_view in, size_t max_output) {
  if (!LooksGzipped(in)) {
    return Status::Error("invalid gzip data: not in gzip format");
  }
  std::string out;
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return Status::Error("invalid gzip data: cannot initialize zlib");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::array<char, 16384> buf;
  Status error;
  for (;;) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t got = buf.size() - zs.avail_out;
    if (out.size() + got > max_output) {
      error = Status::Error("gzip data expands beyond " +
                            std::to_string(max_output) + " bytes");
      break;
    }
    out.append(buf.data(), got);
    if (rc == Z_STREAM_END) {
      // Another member may follow (concatenated gzip files).
      if (zs.avail_in == 0) break;
      std::string_view rest(reinterpret_cast<const char*>(zs.next_in),
                            zs.avail_in);
      if (!LooksGzipped(rest)) break;  // trailing garbage: ignored, as Python
      if (inflateReset(&zs) != Z_OK) {
        error = Status::Error("invalid gzip data: cannot reset zlib");
        break;
      }
      continue;
    }
    if (rc == Z_OK) continue;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      error = Status::Error("invalid gzip data: truncated");
      break;
    }
    error = Status::Error(std::string("invalid gzip data: ") +
                          (zs.msg != nullptr ? zs.msg : "corrupt stream"));
    break;
  }
  inflateEnd(&zs);
  if (!error.ok()) return error;
  return out;
}

std::string GzipCompress(std::string_view in) {
  z_stream zs{};
  deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
               Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  std::array<char, 16384> buf;
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = deflate(&zs, Z_FINISH);
    out.append(buf.data(), buf.size() - zs.avail_out);
  } while (rc == Z_OK);
  deflateEnd(&zs);
  return out;
}

}  // namespace flamingo
