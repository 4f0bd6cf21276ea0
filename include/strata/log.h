// Logging as a resource of a Repository: the library never writes to stdout, stderr or a file by itself.
// Whatever it has to say (a file that could not be read, a stale lock ignored, a damaged object) goes to
// the LogSink given to Repository::Open, with the path, snapshot or object it concerns as separate fields,
// so a GUI can list warnings per file and a scheduler can log them as structured records.
#pragma once

#include <string>
#include <string_view>

namespace strata {

enum class LogLevel {
  kDebug,
  kInfo,     // something worth knowing that changes nothing (a socket skipped, a stale lock ignored)
  kWarning,  // the job goes on without one thing (a file that could not be read is left out)
  kError,    // something is damaged or failed (a file that could not be restored, a damaged object)
};

// "debug", "info", "warning", "error".
const char* LogLevelName(LogLevel level);

// What a message concerns; empty when it does not apply.
struct LogFields {
  std::string path;      // a file system path (a source of a backup, a restored file) or a path in a snapshot
  std::string snapshot;  // a snapshot's name
  std::string object;    // a stored object's id, in hex
};

class LogSink {
 public:
  virtual ~LogSink() = default;
  // `message` is one line that names what it concerns, complete without the fields. The calls made for
  // one Repository never overlap (they may come from its worker threads, one at a time); a sink shared by
  // several Repositories must be thread-safe.
  virtual void Log(LogLevel level, std::string_view message, const LogFields& fields) = 0;
};

}  // namespace strata
