#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"
#include "src/cli/progress_display.h"
#include "strata/coalesce.h"

namespace strata::cli {
namespace {

void PrintResult(const CoalesceResult& r, bool dry_run, CliLog& log) {
  if (log.json()) {
    JsonObject o;
    o.Add("type", "summary").Add("dry_run", dry_run).Add("snapshots", r.snapshots);
    o.Add("versions", r.versions).Add("made_full", r.made_full).Add("redepthed", r.redepthed);
    o.Add("content_bytes", r.content_bytes).Add("bytes_written", r.bytes_written);
    o.Add("deepest_before", uint64_t{r.deepest_before}).Add("deepest_after", uint64_t{r.deepest_after});
    o.Add("damaged", uint64_t{r.damaged.size()});
    log.Emit(o.str());
    return;
  }
  const char* verb = dry_run ? "would rewrite" : "rewrote";
  std::cout << "examined " << r.versions << " versions of " << r.snapshots << " snapshots; " << verb << ' '
            << r.made_full << " as FULL and " << r.redepthed << " with a new chain depth\n"
            << "longest chain " << r.deepest_before << " -> " << r.deepest_after;
  if (dry_run) {
    std::cout << " (dry run: nothing was written)\n";
  } else {
    std::cout << "; " << HumanBytes(r.content_bytes) << " of content rebuilt, " << HumanBytes(r.bytes_written)
              << " written\n";
  }
  if (!r.damaged.empty()) std::cout << r.damaged.size() << " damaged versions left as they were\n";
}

}  // namespace

const Command& CoalesceCommand() {
  static const Command command{
      "coalesce", "coalesce -s STORE [--before SNAPSHOT] [--max-chain N] [--dry-run] [--json] [--progress]",
      "rewrite delta chains: older snapshots' data can go, or chains get shorter",
      [](po::options_description& d, po::positional_options_description&) {
        AddStoreOption(d);
        d.add_options()("before", po::value<std::string>()->value_name("SNAPSHOT"),
                        "this snapshot and later ones stop depending on data only earlier ones use")(
            "max-chain", po::value<std::string>()->value_name("N"),
            "the versions snapshots use get delta chains of at most N deltas")(
            "dry-run", po::bool_switch(), "report what would be rewritten, write nothing")(
            "progress", po::bool_switch(),
            "show progress: a live line on a terminal, a line every 10 s elsewhere");
      },
      [](const po::variables_map& vm) {
        CoalesceRequest request;
        if (vm.count("before") != 0) request.before = vm["before"].as<std::string>();
        if (vm.count("max-chain") != 0) {
          request.max_chain = ParseCount("max-chain", vm["max-chain"].as<std::string>());
          if (request.max_chain == 0) throw UsageError("--max-chain must be at least 1");
        }
        if (request.before.empty() && request.max_chain == 0)
          throw UsageError("needs --before SNAPSHOT, --max-chain N, or both");
        request.dry_run = vm["dry-run"].as<bool>();
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        ProgressDisplay progress("coalesce", "versions", vm["progress"].as<bool>(), log.get());
        auto result = repo->Coalesce(request, &progress);
        progress.Clear();
        if (!result.ok()) return ErrorExit(result.status());
        PrintResult(*result, request.dry_run, *log);
        return result->damaged.empty() ? kExitOk : kExitError;
      }};
  return command;
}

}  // namespace strata::cli
