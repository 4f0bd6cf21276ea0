#include "store/status.h"

#include <cerrno>
#include <cstring>

namespace strata {

Status Status::FromErrno(const std::string& context, int err) {
  Code code = (err == ENOSPC || err == EDQUOT) ? Code::kNoSpace : Code::kIOError;
  if (err == ENOENT) code = Code::kNotFound;
  char buf[256];
  // GNU strerror_r: thread-safe, returns a pointer to the message (maybe not into buf).
  std::string msg = context + ": " + strerror_r(err, buf, sizeof buf);
  if (code == Code::kNoSpace) msg = context + ": no space left on device";
  if (err == EPIPE) msg = context + ": broken pipe (the reading end was closed)";
  return Status(code, std::move(msg), err);
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return Status(code_, context + ": " + message_, errno_);
}

int Status::ToErrno() const {
  switch (code_) {
    case Code::kOk:
      return 0;
    case Code::kNotFound:
      return ENOENT;
    case Code::kInvalidArgument:
      return EINVAL;
    case Code::kNotSupported:
      return EOPNOTSUPP;
    case Code::kNoSpace:
      return ENOSPC;
    case Code::kCancelled:
      return EINTR;
    case Code::kFailedPrecondition:
      return EEXIST;
    case Code::kWrongPassword:
      return EACCES;
    case Code::kIOError:
      return errno_ != 0 ? errno_ : EIO;
    case Code::kCorruption:
      return EIO;
  }
  return EIO;
}

}  // namespace strata
