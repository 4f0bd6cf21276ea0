#include <iostream>

#include "src/cli/cli.h"
#include "src/restore.h"

namespace strata::cli {

const Command& RestoreCommand() {
  static const Command command{
      "restore", "restore -s STORE SNAPSHOT DEST [--path P] [--overwrite]",
      "restore a snapshot, or one path of it, into DEST",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        d.add_options()("path", po::value<std::string>()->value_name("P"),
                        "restore only this file or directory (relative to the snapshot root)")(
            "overwrite", po::bool_switch(), "restore into a non-empty DEST, replacing what is in the way")(
            "snapshot", po::value<std::string>(), "")("dest", po::value<std::string>(), "");
        p.add("snapshot", 1).add("dest", 1);
      },
      [](const po::variables_map& vm) {
        if (vm.count("snapshot") == 0 || vm.count("dest") == 0) throw UsageError("needs SNAPSHOT and DEST");
        auto store = OpenStore(vm);
        if (!store) return kExitError;
        auto snap = store->FindSnapshot(vm["snapshot"].as<std::string>());
        if (!snap.ok()) return ErrorExit(snap.status());
        RestoreOptions options;
        if (vm.count("path") != 0) options.path = vm["path"].as<std::string>();
        options.overwrite = vm["overwrite"].as<bool>();
        options.on_error = [](const std::string& msg, const std::string&) { PrintError(msg); };
        auto stats = RunRestore(store.get(), snap->manifest, vm["dest"].as<std::string>(), options);
        if (!stats.ok()) return ErrorExit(stats.status());
        std::cout << "restored " << stats->files << " files, " << stats->dirs << " directories, "
                  << stats->other << " other (" << HumanBytes(stats->bytes) << ")";
        if (stats->errors != 0) std::cout << "; " << stats->errors << " errors";
        std::cout << "\n";
        return stats->errors == 0 ? kExitOk : kExitError;
      }};
  return command;
}

}  // namespace strata::cli
