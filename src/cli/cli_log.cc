#include "src/cli/cli_log.h"

#include <cerrno>
#include <ctime>
#include <iostream>

#include "src/cli/json.h"
#include "store/log_format.h"

namespace strata::cli {
namespace {

std::string HumanLine(LogLevel level, std::string_view message) {
  std::string line = "strata: ";
  // Errors read as every other error of the CLI; infos keep the name strata has always shown them with.
  if (level == LogLevel::kInfo) {
    line += "note: ";
  } else if (level != LogLevel::kError) {
    line += std::string(LogLevelName(level)) + ": ";
  }
  for (char c : message) {
    if (c == '\n') {
      line += "\\n";
    } else {
      line += c;
    }
  }
  return line;
}

std::string JsonLine(LogLevel level, std::string_view message, const LogFields& fields) {
  JsonObject o;
  o.Add("type", "log").Add("level", LogLevelName(level)).Add("message", message);
  if (!fields.path.empty()) o.Add("path", fields.path);
  if (!fields.snapshot.empty()) o.Add("snapshot", fields.snapshot);
  if (!fields.object.empty()) o.Add("object", fields.object);
  return o.str();
}

}  // namespace

CliLog::~CliLog() {
  if (file_ != nullptr) std::fclose(file_);
}

Status CliLog::Open() {
  if (options_.file.empty()) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  file_ = std::fopen(options_.file.c_str(), "a");
  if (file_ == nullptr) return Status::FromErrno("log file " + options_.file, errno);
  return Status::Ok();
}

void CliLog::Log(LogLevel level, std::string_view message, const LogFields& fields) {
  std::lock_guard<std::mutex> lock(mu_);
  if (level >= LogLevel::kWarning) problems_++;
  // The file is the record of what happened: it keeps notes even when the terminal shows only warnings.
  if (file_ != nullptr && level >= std::min(options_.level, LogLevel::kInfo)) {
    const std::string line = LogFileLine(std::time(nullptr), "strata", level, message, fields);
    std::fprintf(file_, "%s\n", line.c_str());
    std::fflush(file_);
  }
  if (level < options_.level || (objects_in_results_ && !fields.object.empty())) return;
  if (!live_line_.empty()) std::cerr << "\r\033[K";
  std::cerr << HumanLine(level, message) << std::endl;
  if (!live_line_.empty()) std::cerr << live_line_ << std::flush;
  if (options_.json) std::cout << JsonLine(level, message, fields) << std::endl;
}

uint64_t CliLog::problems() const {
  std::lock_guard<std::mutex> lock(mu_);
  return problems_;
}

void CliLog::ShowLiveLine(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (line.empty() && live_line_.empty()) return;
  std::cerr << "\r\033[K" << line << std::flush;
  live_line_ = line;
}

void CliLog::Emit(const std::string& json_line, bool live) {
  std::lock_guard<std::mutex> lock(mu_);
  std::cout << json_line << '\n';
  if (live) std::cout << std::flush;
}

}  // namespace strata::cli
