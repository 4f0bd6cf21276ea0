// The summary every backup ends with: as text on stdout (unless -q), or as the final JSON object.
#pragma once

#include "src/cli/cli_log.h"
#include "strata/jobs.h"

namespace strata::cli {

void PrintBackupSummary(const BackupSummary& summary, CliLog& log, bool quiet);

}  // namespace strata::cli
