#include "src/cli/backup_summary.h"
#include "src/cli/cli.h"
#include "src/cli/progress_display.h"

namespace strata::cli {

const Command& BackupCommand() {
  static const Command command{
      "backup",
      "backup -s STORE PATH... [--label L] [--exclude PAT]... [--exclude-from F] [--exclude-caches] "
      "[--one-file-system] [--max-chain N] [--threads N] [--progress]",
      "back up one or more directories as a new snapshot",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        d.add_options()("label", po::value<std::string>()->value_name("L"),
                        "a label stored with the snapshot")(
            "exclude", po::value<std::vector<std::string>>()->value_name("PAT"),
            "leave out paths matching a gitignore-style pattern (repeatable)")(
            "exclude-from", po::value<std::vector<std::string>>()->value_name("F"),
            "read exclude patterns from a file, one per line (repeatable)")(
            "exclude-caches", po::bool_switch(),
            "leave out the contents of directories tagged with CACHEDIR.TAG")(
            "one-file-system", po::bool_switch(), "do not descend into other file systems")(
            "max-chain", po::value<uint32_t>()->value_name("N"),
            "longest delta chain before a full copy is stored (default: the store's)")(
            "threads", po::value<unsigned>()->value_name("N"), "worker threads (default: four per core)")(
            "progress", po::bool_switch(),
            "show progress: a live line on a terminal, a line every 10 s elsewhere")(
            "paths", po::value<std::vector<std::string>>(), "");
        p.add("paths", -1);
      },
      [](const po::variables_map& vm) {
        if (vm.count("paths") == 0) throw UsageError("no PATH to back up");
        BackupRequest request;
        request.sources = vm["paths"].as<std::vector<std::string>>();
        if (vm.count("label") != 0) request.label = vm["label"].as<std::string>();
        if (vm.count("exclude") != 0) request.excludes = vm["exclude"].as<std::vector<std::string>>();
        if (vm.count("exclude-from") != 0)
          request.exclude_files = vm["exclude-from"].as<std::vector<std::string>>();
        request.exclude_caches = vm["exclude-caches"].as<bool>();
        request.one_file_system = vm["one-file-system"].as<bool>();
        if (vm.count("max-chain") != 0) {
          request.max_chain = vm["max-chain"].as<uint32_t>();
          if (request.max_chain < 1 || request.max_chain > 1000)
            throw UsageError("--max-chain must be 1..1000");
        }
        if (vm.count("threads") != 0) request.threads = vm["threads"].as<unsigned>();
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        ProgressDisplay progress("backup", "files", vm["progress"].as<bool>(), log.get());
        auto summary = repo->Backup(request, &progress);
        progress.Clear();
        if (!summary.ok()) return ErrorExit(summary.status());
        PrintBackupSummary(*summary, *log, vm["quiet"].as<bool>());
        return summary->errors == 0 ? kExitOk : kExitPartial;
      }};
  return command;
}

}  // namespace strata::cli
