#include "src/cli/sync_output.h"

#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"

namespace strata::cli {

void PrintSyncSummary(const SyncSummary& summary, const std::string& verb, const std::string& where,
                      CliLog& log, bool quiet) {
  if (log.json()) {
    for (const SyncedSnapshot& s : summary.synced) {
      JsonObject o;
      o.Add("type", "snapshot").Add("id", s.source.id).Add("name", s.source.name).Add("copy_id", s.copy_id);
      log.Emit(o.str());
    }
    JsonObject o;
    o.Add("type", "summary").Add("destination", where);
    o.Add("snapshots_synced", uint64_t{summary.synced.size()});
    o.Add("snapshots_present", uint64_t{summary.present.size()});
    o.Add("objects_sent", summary.objects_sent).Add("objects_present", summary.objects_present);
    o.Add("bytes_sent", summary.bytes_sent).Add("verbatim", summary.verbatim);
    log.Emit(o.str());
    return;
  }
  if (quiet) return;
  for (const SyncedSnapshot& s : summary.synced) {
    std::cout << verb << "  " << s.source.id.substr(0, 12) << "  " << s.source.name;
    if (s.copy_id != s.source.id) std::cout << "  as " << s.copy_id.substr(0, 12);
    std::cout << '\n';
  }
  std::cout << verb << ' ' << summary.synced.size() << " snapshots into " << where << " ("
            << summary.present.size() << " there already): " << summary.objects_sent << " objects sent, "
            << summary.objects_present << " there already, " << HumanBytes(summary.bytes_sent) << " written"
            << (summary.synced.empty() ? ""
                : summary.verbatim     ? " (objects copied as stored)"
                                       : " (objects re-encoded for the destination's keys)")
            << '\n';
}

}  // namespace strata::cli
