#include "src/password.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <iterator>
#include <string_view>
#include <utility>

namespace strata {
namespace {

// Reads at most `max` bytes from `fd` into secure memory, stopping after a newline when `line` is set
// (one byte at a time, so nothing after the line is consumed). The newline, if any, is kept.
Result<SecretBytes> ReadSecret(int fd, size_t max, bool line, const std::string& what) {
  STRATA_ASSIGN_OR_RETURN(SecretBytes buf, SecretBytes::Allocate(max));
  size_t len = 0;
  while (len < max) {
    ssize_t n = read(fd, buf.mutable_data() + len, line ? 1 : max - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("read " + what, errno);
    if (n == 0) break;
    len += static_cast<size_t>(n);
    if (line && buf.data()[len - 1] == '\n') break;
  }
  return buf.Prefix(len);
}

// `secret` without one trailing newline; empty or longer than kMaxPasswordSize is an error naming `what`.
Result<SecretBytes> TrimmedPassword(const SecretBytes& secret, const std::string& what) {
  size_t len = secret.size();
  if (len > 0 && secret.data()[len - 1] == '\n') len--;
  if (len == 0) return Status::FailedPrecondition("the password from " + what + " is empty");
  if (len > kMaxPasswordSize) {
    return Status::FailedPrecondition("the password from " + what + " is longer than " +
                                      std::to_string(kMaxPasswordSize) + " bytes");
  }
  return secret.Prefix(len);
}

Result<SecretBytes> FromFile(const std::string& path) {
  const std::string what = "password file " + path;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(what, errno);
  // One byte more than the longest password and its newline tells an over-long file apart.
  auto secret = ReadSecret(fd, kMaxPasswordSize + 2, false, what);
  close(fd);
  if (!secret.ok()) return secret.status();
  return TrimmedPassword(*secret, what);
}

// The terminal state to put back if a signal ends the process at the prompt (echo would stay off).
int saved_tty_fd = -1;
struct termios saved_tty;

void RestoreTtyAndReraise(int sig) {
  if (saved_tty_fd >= 0) tcsetattr(saved_tty_fd, TCSANOW, &saved_tty);
  signal(sig, SIG_DFL);
  raise(sig);
}

// Turns echo off on `fd` for its lifetime (the newline still echoes, so output goes on below the prompt).
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (tcgetattr(fd, &saved_tty) != 0) {
      err_ = errno;
      return;
    }
    struct termios quiet = saved_tty;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    saved_tty_fd = fd;
    for (size_t i = 0; i < std::size(kSignals); i++) {
      old_handlers_[i] = signal(kSignals[i], RestoreTtyAndReraise);
    }
    if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0) err_ = errno;
  }
  ~EchoOff() {
    if (saved_tty_fd != fd_) return;
    tcsetattr(fd_, TCSANOW, &saved_tty);
    for (size_t i = 0; i < std::size(kSignals); i++) signal(kSignals[i], old_handlers_[i]);
    saved_tty_fd = -1;
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;
  int error() const { return err_; }  // errno of a failure to turn echo off; 0 when it is off

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  int fd_;
  int err_ = 0;
  sighandler_t old_handlers_[std::size(kSignals)] = {};
};

Result<SecretBytes> AskOnce(int fd, const std::string& prompt, const std::string& tty_path) {
  EchoOff echo_off(fd);
  if (echo_off.error() != 0) return Status::FromErrno("turn off echo on " + tty_path, echo_off.error());
  if (write(fd, prompt.data(), prompt.size()) < 0) return Status::FromErrno("write to " + tty_path, errno);
  // One byte more than the longest password and its newline tells an over-long answer apart.
  STRATA_ASSIGN_OR_RETURN(SecretBytes answer, ReadSecret(fd, kMaxPasswordSize + 2, true, tty_path));
  if (answer.empty()) return Status::Cancelled("no password entered");
  return TrimmedPassword(answer, "the terminal");
}

Result<SecretBytes> FromTerminal(const PasswordRequest& request, const std::string& tty_path) {
  int fd = open(tty_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    return Status::FailedPrecondition("no password: use " + request.file_option + " FILE, or set " +
                                      request.file_env + " or " + request.value_env +
                                      " (there is no terminal to ask on)");
  }
  auto first = AskOnce(fd, request.prompt, tty_path);
  if (first.ok() && request.confirm) {
    auto second = AskOnce(fd, "Again: ", tty_path);
    if (!second.ok()) {
      first = second.status();
    } else if (!first->Equals(*second)) {
      first = Status::FailedPrecondition("the passwords do not match");
    }
  }
  close(fd);
  return first;
}

}  // namespace

Result<SecretBytes> ReadPassword(const PasswordRequest& request, const PasswordContext& context) {
  auto env = [&context](const std::string& name) -> std::string_view {
    const char* v = context.getenv
                        ? context.getenv(name)
                        : std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): read-only environment
    return v != nullptr ? v : "";
  };
  if (!request.file.empty()) return FromFile(request.file);
  if (std::string_view file = env(request.file_env); !file.empty()) return FromFile(std::string(file));
  if (std::string_view value = env(request.value_env); !value.empty()) {
    if (value.size() > kMaxPasswordSize) {
      return Status::FailedPrecondition(request.value_env + " is longer than " +
                                        std::to_string(kMaxPasswordSize) + " bytes");
    }
    return SecretBytes::CopyOf(value);
  }
  return FromTerminal(request, context.tty_path);
}

PasswordRequest NewPasswordRequest(std::string file) {
  PasswordRequest r;
  r.file = std::move(file);
  r.file_option = "--new-password-file";
  r.file_env = "STRATA_NEW_PASSWORD_FILE";
  r.value_env = "STRATA_NEW_PASSWORD";
  r.prompt = "New password: ";
  r.confirm = true;
  return r;
}

}  // namespace strata
