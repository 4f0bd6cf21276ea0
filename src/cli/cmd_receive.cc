#include "src/cli/cli.h"
#include "src/cli/progress_display.h"
#include "src/cli/stream_stdio.h"
#include "src/cli/sync_output.h"

namespace strata::cli {

const Command& ReceiveCommand() {
  static const Command command{
      "receive", "receive -s STORE --from-file F [--progress] [--json]",
      "read a stream file written by `strata sync --to-file` into the store",
      [](po::options_description& d, po::positional_options_description&) {
        AddStoreOption(d);
        d.add_options()("from-file", po::value<std::string>()->value_name("F"),
                        "the stream file; - for standard input")(
            "progress", po::bool_switch(),
            "show progress: a live line on a terminal, a line every 10 s elsewhere");
      },
      [](const po::variables_map& vm) {
        if (vm.count("from-file") == 0) throw UsageError("needs --from-file F");
        const std::string file = vm["from-file"].as<std::string>();
        if (file.empty()) throw UsageError("--from-file: empty path");
        if (file == "-") RequireStreamOnStdin();
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        ProgressDisplay progress("receive", "snapshots", vm["progress"].as<bool>(), log.get());
        auto summary = repo->Receive(file, &progress);
        progress.Clear();
        if (!summary.ok()) return ErrorExit(summary.status());
        PrintSyncSummary(*summary, "received", repo->path(), *log, vm["quiet"].as<bool>());
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
