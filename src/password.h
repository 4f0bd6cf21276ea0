// Where a store password comes from, first match wins: a password-file option, an environment variable
// naming a file, an environment variable holding the password, a no-echo prompt on the terminal
// (/dev/tty). Never a command-line argument: those show in ps and shell histories. With none of them and
// no terminal, the caller gets one line saying what to set.
//
// A password file is read whole, minus one trailing newline (what `echo pw > F` adds). Empty passwords
// are refused wherever they come from; an empty environment variable counts as unset.
#pragma once

#include <functional>
#include <string>

#include "store/secret_bytes.h"
#include "store/status.h"

namespace strata {

inline constexpr size_t kMaxPasswordSize = 4096;

struct PasswordRequest {
  std::string file;  // value of the file option; empty when not given
  std::string file_option = "--password-file";
  std::string file_env = "STRATA_PASSWORD_FILE";
  std::string value_env = "STRATA_PASSWORD";
  std::string prompt = "Password: ";
  bool confirm = false;  // a new password (init, key passwd): on a terminal, ask twice, require the same
};

// The process's view of the world, injectable so that tests need neither a real environment nor a
// real terminal.
struct PasswordContext {
  std::function<const char*(const std::string&)> getenv;  // empty: the process environment
  std::string tty_path = "/dev/tty";
};

// The password, in secure memory. Errors (one line each, exit 1): an unreadable, empty or over-long
// password file; no source and no terminal (FailedPrecondition); answers that differ (FailedPrecondition);
// end of input at the prompt (Cancelled).
Result<SecretBytes> ReadPassword(const PasswordRequest& request, const PasswordContext& context = {});

// The request for the new password of `key passwd`: --new-password-file, STRATA_NEW_PASSWORD_FILE,
// STRATA_NEW_PASSWORD, or the prompt (asked twice).
PasswordRequest NewPasswordRequest(std::string file);

}  // namespace strata
