#include "fuse/mount_log.h"

#include <cerrno>
#include <ctime>

#include "store/log_format.h"

namespace strata {

MountLog::~MountLog() {
  if (file_ != nullptr) std::fclose(file_);
}

Status MountLog::Open(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (path.empty()) return Status::Ok();
  file_ = std::fopen(path.c_str(), "a");
  if (file_ == nullptr) return Status::FromErrno("log file " + path, errno);
  return Status::Ok();
}

void MountLog::Log(LogLevel level, std::string_view message, const LogFields& fields) {
  const std::string line = LogFileLine(std::time(nullptr), "strata-mount", level, message, fields);
  std::lock_guard<std::mutex> lock(mu_);
  if (file_ != nullptr) {
    std::fprintf(file_, "%s\n", line.c_str());
    std::fflush(file_);
  }
  // stderr is a terminal or the caller's log: no timestamp, as before.
  if (stderr_) std::fprintf(stderr, "%s\n", line.substr(line.find(' ') + 1).c_str());
}

}  // namespace strata
