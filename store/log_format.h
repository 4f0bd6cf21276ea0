// The text forms of a log record (strata/log.h), shared by the CLI's sink and the mount daemon's, which
// must not depend on each other: one line for a person, and one line for a log file, with its time.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "strata/log.h"

namespace strata {

// " path=P snapshot=S object=O" for the fields that are set; a value with a space, a quote, a backslash or
// a control character is double-quoted with C escapes, so that each field reads back unambiguously.
std::string LogFieldsText(const LogFields& fields);

// "2026-12-01T18:00:00Z PROGRAM LEVEL MESSAGE path=..." (UTC): one line, newlines in the message escaped.
std::string LogFileLine(std::time_t when, std::string_view program, LogLevel level, std::string_view message,
                        const LogFields& fields);

}  // namespace strata
