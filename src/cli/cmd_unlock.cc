#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"

namespace strata::cli {

const Command& UnlockCommand() {
  static const Command command{
      "unlock", "unlock -s STORE [--all]", "remove stale locks left by crashed strata processes",
      [](po::options_description& d, po::positional_options_description&) {
        AddStoreOption(d);
        d.add_options()("all", po::bool_switch(),
                        "remove every lock, live ones too (only when no strata process uses the store)");
      },
      [](const po::variables_map& vm) {
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        auto report = repo->Unlock(vm["all"].as<bool>());
        if (!report.ok()) return ErrorExit(report.status());
        const bool json = JsonOutput(vm);
        uint64_t removed = 0;
        for (const LockReport& l : report->locks) {
          removed += l.removed ? 1 : 0;
          if (json) {
            JsonObject o;
            o.Add("type", "lock").Add("action", l.removed ? "removed" : "kept").Add("file", l.file);
            o.Add("holder", l.holder).Add("stale", !l.stale.empty()).Add("reason", l.stale);
            std::cout << o.str() << "\n";
          } else if (l.removed) {
            std::cout << "removed " << (l.stale.empty() ? "live" : "stale") << " lock " << l.file << " ("
                      << Escape(l.holder) << ")" << (l.stale.empty() ? "" : ": " + Escape(l.stale)) << "\n";
          } else {
            std::cout << "kept live lock " << l.file << " (" << Escape(l.holder) << ")\n";
          }
        }
        if (!json && report->locks.empty()) std::cout << "no locks\n";
        for (const std::string& file : report->temp_packs) {
          if (json) {
            JsonObject o;
            o.Add("type", "temp_pack").Add("action", "removed").Add("file", file);
            std::cout << o.str() << "\n";
          } else {
            std::cout << "removed temporary pack " << file << " of a dead writer\n";
          }
        }
        if (json) {
          JsonObject o;
          o.Add("type", "summary").Add("locks_removed", removed);
          o.Add("locks_kept", uint64_t{report->locks.size()} - removed)
              .Add("temp_packs_removed", uint64_t{report->temp_packs.size()});
          std::cout << o.str() << "\n";
        }
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
