#include <optional>

#include "src/cli/cli.h"
#include "src/cli/progress_display.h"
#include "src/cli/stream_stdio.h"
#include "src/cli/sync_output.h"
#include "src/password.h"

namespace strata::cli {

const Command& SyncCommand() {
  static const Command command{
      "sync",
      "sync -s SRC (--to DST [--to-password-file F] | --to-file F [--since SNAPSHOT]) [SNAPSHOT...] "
      "[--progress] [--json]",
      "copy the snapshots another store lacks into it, or into a stream file for `strata receive`",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        d.add_options()("to", po::value<std::string>()->value_name("DST"), "the store to copy into")(
            "to-password-file", po::value<std::string>()->value_name("F"),
            "read DST's password from F (default: $STRATA_TO_PASSWORD_FILE, $STRATA_TO_PASSWORD, or ask on "
            "the terminal)")("to-file", po::value<std::string>()->value_name("F"),
                             "write a stream file instead (- for standard output), for `strata receive` "
                             "into a store made with `strata init --from SRC`")(
            "since", po::value<std::string>()->value_name("SNAPSHOT"),
            "with --to-file: leave out what SNAPSHOT holds (the receiving store must have it); without "
            "SNAPSHOTs, carry the snapshots made after it")(
            "progress", po::bool_switch(),
            "show progress: a live line on a terminal, a line every 10 s elsewhere")(
            "snapshots", po::value<std::vector<std::string>>(), "");
        p.add("snapshots", -1);
      },
      [](const po::variables_map& vm) {
        const bool to_store = vm.count("to") != 0;
        const bool to_file = vm.count("to-file") != 0;
        if (to_store == to_file) throw UsageError("needs --to DST or --to-file F (one of them)");
        if (vm.count("since") != 0 && !to_file) throw UsageError("--since needs --to-file");
        if (vm.count("to-password-file") != 0 && !to_store) throw UsageError("--to-password-file needs --to");
        SyncRequest request;
        if (vm.count("snapshots") != 0) request.snapshots = vm["snapshots"].as<std::vector<std::string>>();
        if (vm.count("since") != 0) request.since = vm["since"].as<std::string>();
        const std::string where = to_store ? vm["to"].as<std::string>() : vm["to-file"].as<std::string>();
        if (where.empty()) throw UsageError(std::string(to_store ? "--to" : "--to-file") + ": empty path");
        std::optional<StreamOnStdout> on_stdout;
        if (to_file && where == "-") on_stdout.emplace();
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        std::unique_ptr<Repository> dst;
        if (to_store) {
          PasswordRequest password;
          if (vm.count("to-password-file") != 0) password.file = vm["to-password-file"].as<std::string>();
          password.file_option = "--to-password-file";
          password.file_env = "STRATA_TO_PASSWORD_FILE";
          password.value_env = "STRATA_TO_PASSWORD";
          password.prompt = "Password of " + where + ": ";
          OpenOptions options;
          options.path = where;
          options.log = log.get();
          options.password = AsCallback([password] { return ReadPassword(password); });
          auto opened = Repository::Open(options);
          if (!opened.ok()) return ErrorExit(opened.status());
          dst = std::move(opened).value();
        }
        ProgressDisplay progress("sync", "snapshots", vm["progress"].as<bool>(), log.get());
        auto summary =
            to_store ? repo->Sync(*dst, request, &progress) : repo->SyncToFile(where, request, &progress);
        progress.Clear();
        if (!summary.ok()) return ErrorExit(summary.status());
        PrintSyncSummary(*summary, "synced", on_stdout ? "standard output" : where, *log,
                         vm["quiet"].as<bool>());
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
