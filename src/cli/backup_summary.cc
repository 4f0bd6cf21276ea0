#include "src/cli/backup_summary.h"

#include <iomanip>
#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"

namespace strata::cli {

void PrintBackupSummary(const BackupSummary& s, CliLog& log, bool quiet) {
  if (log.json()) {
    JsonObject o;
    o.Add("type", "summary").Add("snapshot_id", s.snapshot_id);
    o.Add("snapshot_name", s.snapshot_name).Add("files", s.files).Add("files_new", s.files_new);
    o.Add("files_changed", s.files_changed).Add("files_unchanged", s.files_unchanged);
    o.Add("errors", s.errors).Add("dirs", s.dirs).Add("other", s.other).Add("bytes", s.bytes);
    o.Add("bytes_read", s.bytes_read).Add("bytes_stored", s.bytes_stored);
    o.Add("delta_saved", s.delta_saved).Add("compression_saved", s.compression_saved);
    o.Add("duration_ns", s.duration_ns);
    log.Emit(o.str());
    return;
  }
  if (quiet) return;
  std::cout << "snapshot " << s.snapshot_id.substr(0, 12) << " saved as " << s.snapshot_name << "\n"
            << "files: " << s.files << " (" << s.files_new << " new, " << s.files_changed << " changed, "
            << s.files_unchanged << " unchanged, " << s.errors << " errors), " << s.dirs << " directories, "
            << s.other << " other\n"
            << "read " << HumanBytes(s.bytes_read) << " of " << HumanBytes(s.bytes) << ", added "
            << HumanBytes(s.bytes_stored) << " to the store in " << std::fixed << std::setprecision(2)
            << static_cast<double>(s.duration_ns) / 1e9 << std::defaultfloat << " s\n"
            << "saved " << HumanBytes(s.delta_saved) << " by delta encoding, "
            << HumanBytes(s.compression_saved) << " by compression\n";
  if (s.errors != 0)
    std::cout << s.errors << " entries could not be read (listed above and in the snapshot)\n";
}

}  // namespace strata::cli
