// Logger: a Repository's way to its LogSink, which makes the sink's calls one at a time (a backup warns
// from its walking thread and its content writers at once) and drops messages when there is no sink.
#pragma once

#include <mutex>
#include <string_view>

#include "strata/log.h"

namespace strata {

class Logger {
 public:
  explicit Logger(LogSink* sink) : sink_(sink) {}
  void Log(LogLevel level, std::string_view message, const LogFields& fields = {});

 private:
  LogSink* sink_;
  std::mutex mu_;
};

}  // namespace strata
