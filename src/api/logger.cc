#include "src/api/logger.h"

namespace strata {

void Logger::Log(LogLevel level, std::string_view message, const LogFields& fields) {
  if (sink_ == nullptr) return;
  std::lock_guard<std::mutex> lock(mu_);
  sink_->Log(level, message, fields);
}

}  // namespace strata
