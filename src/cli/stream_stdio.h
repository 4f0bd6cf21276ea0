// `strata sync --to-file -` and `strata receive --from-file -`: a sync stream through standard output or
// input, for `strata sync --to-file - | ssh HOST strata receive --from-file -`.
#pragma once

#include <iosfwd>

namespace strata::cli {

// While alive, standard output carries a stream and nothing else: what the command prints there (its
// summary, --json lines) goes to standard error instead, and a reader that goes away makes writing fail
// with EPIPE (an error, exit 1) instead of killing the process with SIGPIPE. Throws UsageError when
// standard output is a terminal.
class StreamOnStdout {
 public:
  StreamOnStdout();
  ~StreamOnStdout();
  StreamOnStdout(const StreamOnStdout&) = delete;
  StreamOnStdout& operator=(const StreamOnStdout&) = delete;

 private:
  std::streambuf* saved_cout_ = nullptr;
  void (*saved_sigpipe_)(int) = nullptr;
};

// Throws UsageError when standard input is a terminal: a stream is not typed in.
void RequireStreamOnStdin();

}  // namespace strata::cli
