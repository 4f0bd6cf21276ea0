#include <charconv>
#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"
#include "src/cli/progress_display.h"
#include "strata/prune.h"

namespace strata::cli {
namespace {

// "10", "2.5", "10%": 0 to 100.
double ParsePercent(const std::string& text) {
  std::string_view digits(text);
  if (digits.ends_with('%')) digits.remove_suffix(1);
  double pct = -1;
  const char* end = digits.data() + digits.size();
  auto [stop, ec] = std::from_chars(digits.data(), end, pct);
  if (digits.empty() || ec != std::errc() || stop != end || !(pct >= 0 && pct <= 100)) {
    throw UsageError("--max-unused: '" + text + "' is not a percentage (0 to 100)");
  }
  return pct;
}

void PrintResult(const PruneResult& r, bool dry_run, CliLog& log) {
  if (log.json()) {
    JsonObject o;
    o.Add("type", "summary").Add("dry_run", dry_run).Add("snapshots", r.snapshots);
    o.Add("objects_used", r.objects_used).Add("objects_removed", r.objects_removed);
    o.Add("packs_before", r.packs_before).Add("packs_deleted", r.packs_deleted);
    o.Add("packs_repacked", r.packs_repacked).Add("packs_written", r.packs_written);
    o.Add("packs_after", r.packs_after).Add("bytes_copied", r.bytes_copied);
    o.Add("index_files_before", r.index_files_before).Add("index_files_after", r.index_files_after);
    o.Add("bytes_before", r.bytes_before).Add("bytes_after", r.bytes_after);
    o.Add("bytes_reclaimed", r.bytes_reclaimed());
    log.Emit(o.str());
    return;
  }
  const char* would = dry_run ? "would " : "";
  std::cout << r.snapshots << " snapshots use " << r.objects_used << " objects; " << would << "remove "
            << r.objects_removed << " unused objects\n";
  std::cout << "packs: " << r.packs_before << " before, " << r.packs_deleted << " " << would << "deleted, "
            << r.packs_repacked << " " << would << "repacked into " << r.packs_written << " new ("
            << HumanBytes(r.bytes_copied) << " copied), " << r.packs_after << " after\n";
  std::cout << "index files: " << r.index_files_before << " before, " << r.index_files_after << " after\n";
  std::cout << "store: " << HumanBytes(r.bytes_before) << " before, " << HumanBytes(r.bytes_after)
            << " after, " << HumanBytes(r.bytes_reclaimed())
            << (dry_run ? " would be reclaimed" : " reclaimed")
            << (dry_run ? " (dry run: nothing was changed)" : "") << std::endl;
}

}  // namespace

const Command& PruneCommand() {
  static const Command command{
      "prune", "prune -s STORE [--dry-run] [--max-unused PCT] [--progress] [--json]",
      "remove what no snapshot uses and repack mostly unused packs",
      [](po::options_description& d, po::positional_options_description&) {
        AddStoreOption(d);
        d.add_options()("dry-run", po::bool_switch(), "report what would be removed, change nothing")(
            "max-unused", po::value<std::string>()->value_name("PCT"),
            "repack packs whose unused share is above PCT percent (default 10)")(
            "progress", po::bool_switch(),
            "show progress: a live line on a terminal, a line every 10 s elsewhere");
      },
      [](const po::variables_map& vm) {
        PruneRequest request;
        request.dry_run = vm["dry-run"].as<bool>();
        if (vm.count("max-unused") != 0) {
          request.max_unused_percent = ParsePercent(vm["max-unused"].as<std::string>());
        }
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        ProgressDisplay progress("prune", "snapshots", vm["progress"].as<bool>(), log.get());
        auto result = repo->Prune(request, &progress);
        progress.Clear();
        if (!result.ok()) return ErrorExit(result.status());
        PrintResult(*result, request.dry_run, *log);
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
