#include "store/log_format.h"

#include <cstdio>

namespace strata {
namespace {

bool NeedsQuotes(std::string_view value) {
  for (unsigned char c : value) {
    if (c <= ' ' || c == '"' || c == '\\' || c == 0x7f) return true;
  }
  return false;
}

std::string Quoted(std::string_view value) {
  if (!NeedsQuotes(value)) return std::string(value);
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string OneLine(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (char c : message) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

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

std::string LogFieldsText(const LogFields& fields) {
  std::string out;
  if (!fields.path.empty()) out += " path=" + Quoted(fields.path);
  if (!fields.snapshot.empty()) out += " snapshot=" + Quoted(fields.snapshot);
  if (!fields.object.empty()) out += " object=" + Quoted(fields.object);
  return out;
}

std::string LogFileLine(std::time_t when, std::string_view program, LogLevel level, std::string_view message,
                        const LogFields& fields) {
  struct tm tm;
  gmtime_r(&when, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = stamp;
  line += ' ';
  line += program;
  line += ' ';
  line += LogLevelName(level);
  line += ' ';
  return line + OneLine(message) + LogFieldsText(fields);
}

}  // namespace strata
