// What sync and receive print: one line per snapshot copied, then a summary (or JSON lines with --json).
#pragma once

#include <string>

#include "src/cli/cli_log.h"
#include "strata/sync.h"

namespace strata::cli {

// `verb`: "synced" or "received"; `where`: the destination store or stream file.
void PrintSyncSummary(const SyncSummary& summary, const std::string& verb, const std::string& where,
                      CliLog& log, bool quiet);

}  // namespace strata::cli
