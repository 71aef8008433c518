// Status and Result<T>: the value types every fallible operation returns.
// Modelled on LevelDB's Status: ok or an error message, with context added on
// the way up ("file[/etc/motd]: write: No space left on device").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace flamingo {

// One pointer: null when ok (as LevelDB's), so that the results and plan
// items of thousands of resources do not each carry an empty message.
class Status {
 public:
  Status() = default;  // ok
  Status(const Status& o)
      : message_(o.message_ ? std::make_unique<std::string>(*o.message_)
                            : nullptr) {}
  Status& operator=(const Status& o) {
    if (this != &o) *this = Status(o);
    return *this;
  }
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }
  static Status Error(std::string message) {
    Status s;
    s.message_ = std::make_unique<std::string>(std::move(message));
    return s;
  }
  // errno-based error: "what: strerror(err)".
  static Status FromErrno(std::string_view what, int err);

  bool ok() const { return message_ == nullptr; }
  // "" when ok.
  const std::string& message() const;
  // Returns this status with "prefix: " in front of the message (ok stays ok).
  Status WithContext(std::string_view prefix) const;

 private:
  std::unique_ptr<std::string> message_;  // null: ok
};

// Either a value or an error Status. REQUIRES: value() only when ok().
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}       // NOLINT: implicit by design
  Result(Status error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  const T& operator*() const { return value(); }
  T& operator*() { return value(); }
  Status status() const { return ok() ? Status::Ok() : std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace flamingo
