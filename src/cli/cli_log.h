// The CLI's LogSink: where the library's messages (and the CLI's own warnings) reach the user.
//
// stderr gets one human line per record at the chosen level or above ("strata: warning: ...", errors as
// "strata: ..."); with --json, stdout also gets each as a {"type":"log"} JSON line beside the command's
// events; with --log-file, each is appended to the file with its UTC time and fields (store/log_format.h).
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "store/status.h"
#include "strata/log.h"

namespace strata::cli {

struct LogOptions {
  LogLevel level = LogLevel::kWarning;  // the least shown on stderr and in --json
  bool json = false;
  std::string file;  // --log-file; empty: none
};

class CliLog : public LogSink {
 public:
  explicit CliLog(LogOptions options) : options_(std::move(options)) {}
  ~CliLog() override;
  CliLog(const CliLog&) = delete;
  CliLog& operator=(const CliLog&) = delete;

  // Opens the log file, if any, for appending; an error names it.
  Status Open();
  void Log(LogLevel level, std::string_view message, const LogFields& fields) override;

  // Records about a stored object (check's damage) are left off stderr and the JSON stream: the command
  // lists them in its results. The log file keeps them.
  void ObjectsInResults() { objects_in_results_ = true; }
  // Warnings and errors seen so far.
  uint64_t problems() const;
  bool json() const { return options_.json; }
  // Writes one JSON line to stdout, never interleaved with a log record's. Live events (progress) are
  // flushed at once; results go out with the rest of the output, so that a reader that stops early
  // (`| grep -q`) does not make the command fail on a broken pipe.
  void Emit(const std::string& json_line, bool live = false);
  // Shows `line` as the terminal's live line (progress), rewritten in place; records printed meanwhile
  // go above it. An empty line takes it off the screen.
  void ShowLiveLine(const std::string& line);

 private:
  LogOptions options_;
  bool objects_in_results_ = false;
  mutable std::mutex mu_;
  std::FILE* file_ = nullptr;  // guarded by mu_
  uint64_t problems_ = 0;      // guarded by mu_
  std::string live_line_;      // guarded by mu_: on the terminal, below the records
};

}  // namespace strata::cli
