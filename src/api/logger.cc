#include "src/api/logger.h"

namespace strata {

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "unknown";
}

void Logger::Log(LogLevel level, std::string_view message, const LogFields& fields) {
  if (sink_ == nullptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  sink_->Log(level, message, fields);
}

}  // namespace strata
