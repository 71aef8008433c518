#include "engine/status.h"

#include <cstring>

namespace flamingo {

Status Status::FromErrno(std::string_view what, int err) {
  std::string msg(what);
  msg += ": ";
  msg += std::strerror(err);
  return Error(std::move(msg));
}

const std::string& Status::message() const {
  static const std::string* const kNone = new std::string();
  return message_ ? *message_ : *kNone;
}

Status Status::WithContext(std::string_view prefix) const {
  if (ok()) return *this;
  std::string msg(prefix);
  msg += ": ";
  msg += *message_;
  return Error(std::move(msg));
}

}  // namespace flamingo
