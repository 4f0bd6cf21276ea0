#include <chrono>
#include <iostream>

#include "src/backup.h"
#include "src/cli/cli.h"

namespace strata::cli {

const Command& BackupCommand() {
  static const Command command{
      "backup",
      "backup -s STORE PATH... [--label L] [--exclude PAT]... [--exclude-from F] [--exclude-caches] "
      "[--one-file-system] [--max-chain N] [--threads N]",
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
            "paths", po::value<std::vector<std::string>>(), "");
        p.add("paths", -1);
      },
      [](const po::variables_map& vm) {
        if (vm.count("paths") == 0) throw UsageError("no PATH to back up");
        BackupOptions options;
        options.sources = vm["paths"].as<std::vector<std::string>>();
        if (vm.count("label") != 0) options.label = vm["label"].as<std::string>();
        if (vm.count("exclude") != 0) options.excludes = vm["exclude"].as<std::vector<std::string>>();
        if (vm.count("exclude-from") != 0)
          options.exclude_files = vm["exclude-from"].as<std::vector<std::string>>();
        options.exclude_caches = vm["exclude-caches"].as<bool>();
        options.one_file_system = vm["one-file-system"].as<bool>();
        if (vm.count("max-chain") != 0) {
          options.max_chain = vm["max-chain"].as<uint32_t>();
          if (options.max_chain < 1 || options.max_chain > 1000)
            throw UsageError("--max-chain must be 1..1000");
        }
        if (vm.count("threads") != 0) options.threads = vm["threads"].as<unsigned>();
        options.on_warning = [](const std::string& w, const std::string&) { PrintError("warning: " + w); };
        options.on_note = [](const std::string& n) { std::cerr << "strata: note: " << n << std::endl; };
        auto store = OpenStore(vm);
        if (!store) return kExitError;
        auto started = std::chrono::steady_clock::now();
        auto result = RunBackup(store.get(), options);
        if (!result.ok()) return ErrorExit(result.status());
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const SnapshotStats& s = result->manifest.stats;
        std::cout << "snapshot " << result->manifest.id.Hex().substr(0, 12) << " saved as " << result->name
                  << "\n"
                  << "files: " << s.files << " (" << s.files_new << " new, " << s.files_changed
                  << " changed, " << s.files_unchanged << " unchanged), " << s.dirs << " directories, "
                  << s.other << " other\n"
                  << "read " << HumanBytes(s.bytes_read) << " of " << HumanBytes(s.bytes) << ", added "
                  << HumanBytes(s.bytes_added) << " to the store in " << secs << " s\n";
        if (s.errors != 0) {
          std::cout << s.errors << " entries could not be read (listed above and in the snapshot)\n";
          return kExitPartial;
        }
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
