// Status and Result<T>: the one error mechanism of strata, inside the library and at its public API.
//
// Errors are values, never exceptions (the RocksDB/LevelDB rule). A backup of a million files must be able
// to record one unreadable file and go on; the FUSE daemon must turn every failure into one errno without
// unwinding through C callbacks; and the programs that drive the library (GUIs, schedulers, bindings to
// other languages, which cannot catch C++ exceptions) handle a returned value at the call that failed
// instead of an unwinding stack. Every message names the object, path or snapshot involved, so a caller
// can show it as the one line a user sees; code() says what kind of failure it is.
//
// The library reports its failures only this way: it throws nothing of its own.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace strata {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,         // a snapshot, path or object that does not exist
    kCorruption,       // stored data fails validation: checksum, bounds, format
    kIOError,          // the OS said no (errno kept)
    kInvalidArgument,  // the caller's input is wrong (usage-level)
    kNotSupported,     // e.g. a newer store format version
    kNoSpace,          // ENOSPC / EDQUOT
    kCancelled,
    kFailedPrecondition,  // the target's state forbids the operation (a store exists, DEST not empty)
    kWrongPassword,       // the password does not unwrap the store's key (or the wrapped key was altered)
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status InvalidArgument(std::string msg) { return Status(Code::kInvalidArgument, std::move(msg)); }
  static Status NotSupported(std::string msg) { return Status(Code::kNotSupported, std::move(msg)); }
  static Status Cancelled(std::string msg) { return Status(Code::kCancelled, std::move(msg)); }
  static Status FailedPrecondition(std::string msg) {
    return Status(Code::kFailedPrecondition, std::move(msg));
  }
  static Status WrongPassword(std::string msg) { return Status(Code::kWrongPassword, std::move(msg)); }
  // Maps errno to kIOError, or kNoSpace for ENOSPC/EDQUOT, and appends strerror(err) to `context`.
  static Status FromErrno(const std::string& context, int err);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  int err() const { return errno_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsWrongPassword() const { return code_ == Code::kWrongPassword; }

  // A copy with "context: " put in front of the message, same code and errno.
  Status WithContext(const std::string& context) const;
  // errno equivalent for the FUSE boundary and for callers that need one.
  int ToErrno() const;

 private:
  Status(Code code, std::string msg, int err = 0) : code_(code), errno_(err), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  int errno_ = 0;
  std::string message_;
};

// A value or an error. Deliberately small: C++20 has no std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace strata

#define STRATA_CONCAT_INNER(a, b) a##b
#define STRATA_CONCAT(a, b) STRATA_CONCAT_INNER(a, b)

#define STRATA_RETURN_IF_ERROR(expr)       \
  do {                                     \
    ::strata::Status strata_s_ = (expr);   \
    if (!strata_s_.ok()) return strata_s_; \
  } while (0)

// `lhs` may be a declaration, so it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define STRATA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

#define STRATA_ASSIGN_OR_RETURN(lhs, expr) \
  STRATA_ASSIGN_OR_RETURN_IMPL(STRATA_CONCAT(strata_r_, __LINE__), lhs, expr)
// NOLINTEND(bugprone-macro-parentheses)
