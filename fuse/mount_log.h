// The mount daemon's LogSink: appends each record to --log-file as a timestamped line (store/log_format.h)
// and, in the foreground, writes it to stderr too. Once daemonized without a log file, records are dropped.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include "store/status.h"
#include "strata/log.h"

namespace strata {

class MountLog : public LogSink {
 public:
  MountLog() = default;
  ~MountLog() override;
  MountLog(const MountLog&) = delete;
  MountLog& operator=(const MountLog&) = delete;

  // Appends to `path`; empty: no file.
  Status Open(const std::string& path);
  void UseStderr(bool on) { stderr_ = on; }
  void Log(LogLevel level, std::string_view message, const LogFields& fields) override;
  void Info(std::string_view message) { Log(LogLevel::kInfo, message, {}); }

 private:
  std::mutex mu_;
  std::FILE* file_ = nullptr;  // guarded by mu_
  bool stderr_ = false;
};

}  // namespace strata
