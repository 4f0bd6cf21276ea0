#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"
#include "src/cli/progress_display.h"

namespace strata::cli {

const Command& RestoreCommand() {
  static const Command command{
      "restore", "restore -s STORE SNAPSHOT DEST [--path P] [--overwrite] [--progress]",
      "restore a snapshot, or one path of it, into DEST",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        d.add_options()("path", po::value<std::string>()->value_name("P"),
                        "restore only this file or directory (relative to the snapshot root)")(
            "overwrite", po::bool_switch(), "restore into a non-empty DEST, replacing what is in the way")(
            "progress", po::bool_switch(),
            "show progress: a live line on a terminal, a line every 10 s elsewhere")(
            "snapshot", po::value<std::string>(), "")("dest", po::value<std::string>(), "");
        p.add("snapshot", 1).add("dest", 1);
      },
      [](const po::variables_map& vm) {
        if (vm.count("snapshot") == 0 || vm.count("dest") == 0) throw UsageError("needs SNAPSHOT and DEST");
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        RestoreRequest request;
        request.overwrite = vm["overwrite"].as<bool>();
        const std::string path = vm.count("path") != 0 ? vm["path"].as<std::string>() : "";
        ProgressDisplay progress("restore", "files", vm["progress"].as<bool>(), log.get());
        auto stats = repo->Restore(vm["snapshot"].as<std::string>(), path, vm["dest"].as<std::string>(),
                                   request, &progress);
        progress.Clear();
        if (!stats.ok()) return ErrorExit(stats.status());
        if (log->json()) {
          JsonObject o;
          o.Add("type", "summary").Add("files", stats->files);
          o.Add("dirs", stats->dirs).Add("other", stats->other).Add("bytes", stats->bytes);
          o.Add("errors", stats->errors);
          log->Emit(o.str());
        } else if (!vm["quiet"].as<bool>()) {
          std::cout << "restored " << stats->files << " files, " << stats->dirs << " directories, "
                    << stats->other << " other (" << HumanBytes(stats->bytes) << ")";
          if (stats->errors != 0) std::cout << "; " << stats->errors << " errors";
          std::cout << "\n";
        }
        return stats->errors == 0 ? kExitOk : kExitError;
      }};
  return command;
}

}  // namespace strata::cli
