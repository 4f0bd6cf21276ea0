#include <iostream>
#include <map>

#include "src/cli/cli.h"
#include "src/cli/json.h"
#include "store/lock.h"
#include "store/temp_packs.h"

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
        auto store = OpenStore(vm);
        if (!store) return kExitError;
        const std::string dir = std::string(format::kLocksDir) + "/";
        // Reasons are taken before removal: they describe what the lock was.
        auto before = ListLocks(store->env(), store->path());
        if (!before.ok()) return ErrorExit(before.status());
        std::map<std::string, std::string> reasons;
        for (const LockInfo& l : *before) reasons[l.file] = StaleReason(l, {});
        auto result = RemoveLocks(store->env(), store->path(), vm["all"].as<bool>());
        if (!result.ok()) return ErrorExit(result.status());
        const bool json = JsonOutput(vm);
        const auto lock_line = [&](const LockInfo& l, bool removed) {
          const std::string& why = reasons[l.file];
          if (json) {
            JsonObject o;
            o.Add("type", "lock").Add("action", removed ? "removed" : "kept").Add("file", dir + l.file);
            o.Add("holder", l.Describe()).Add("stale", !why.empty()).Add("reason", why);
            std::cout << o.str() << "\n";
          } else if (removed) {
            std::cout << "removed " << (why.empty() ? "live" : "stale") << " lock " << dir << l.file << " ("
                      << Escape(l.Describe()) << ")" << (why.empty() ? "" : ": " + Escape(why)) << "\n";
          } else {
            std::cout << "kept live lock " << dir << l.file << " (" << Escape(l.Describe()) << ")\n";
          }
        };
        for (const LockInfo& l : result->removed) lock_line(l, true);
        for (const LockInfo& l : result->kept) lock_line(l, false);
        if (!json && result->removed.empty() && result->kept.empty()) std::cout << "no locks\n";
        // With their locks gone, the unsealed packs of the writers that held them are garbage.
        auto swept = RemoveDeadTempPacks(store->env(), store->path());
        if (!swept.ok()) return ErrorExit(swept.status());
        for (const std::string& name : swept->removed) {
          const std::string file = std::string(format::kTmpDir) + "/" + name;
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
          o.Add("type", "summary").Add("locks_removed", uint64_t{result->removed.size()});
          o.Add("locks_kept", uint64_t{result->kept.size()})
              .Add("temp_packs_removed", uint64_t{swept->removed.size()});
          std::cout << o.str() << "\n";
        }
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
