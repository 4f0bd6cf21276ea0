#include "src/cli/stream_stdio.h"

#include <unistd.h>

#include <csignal>
#include <iostream>

#include "src/cli/cli.h"

namespace strata::cli {

StreamOnStdout::StreamOnStdout() {
  if (isatty(STDOUT_FILENO) != 0) {
    throw UsageError("refusing to write a stream to a terminal (use --to-file F or a pipe)");
  }
  saved_sigpipe_ = std::signal(SIGPIPE, SIG_IGN);
  std::cout.flush();
  saved_cout_ = std::cout.rdbuf(std::cerr.rdbuf());
}

StreamOnStdout::~StreamOnStdout() {
  std::cout.rdbuf(saved_cout_);
  std::signal(SIGPIPE, saved_sigpipe_);
}

void RequireStreamOnStdin() {
  if (isatty(STDIN_FILENO) != 0) {
    throw UsageError("refusing to read a stream from a terminal (use --from-file F or a pipe)");
  }
}

}  // namespace strata::cli
