#include <algorithm>
#include <iostream>
#include <optional>

#include "src/cli/cli.h"
#include "src/cli/json.h"
#include "strata/forget.h"

namespace strata::cli {
namespace {

struct KeepOption {
  const char* name;
  uint32_t RetentionPolicy::*field;
  const char* help;
};

constexpr KeepOption kKeepOptions[] = {
    {"keep-last", &RetentionPolicy::keep_last, "keep the N newest snapshots"},
    {"keep-hourly", &RetentionPolicy::keep_hourly, "keep the newest snapshot of each of the last N hours"},
    {"keep-daily", &RetentionPolicy::keep_daily, "keep the newest snapshot of each of the last N days"},
    {"keep-weekly", &RetentionPolicy::keep_weekly,
     "keep the newest snapshot of each of the last N ISO weeks"},
    {"keep-monthly", &RetentionPolicy::keep_monthly, "keep the newest snapshot of each of the last N months"},
    {"keep-yearly", &RetentionPolicy::keep_yearly, "keep the newest snapshot of each of the last N years"},
};

// A policy when any --keep-* option was given, zeros included.
std::optional<RetentionPolicy> PolicyOf(const po::variables_map& vm) {
  std::optional<RetentionPolicy> policy;
  for (const KeepOption& keep : kKeepOptions) {
    if (vm.count(keep.name) == 0) continue;
    if (!policy) policy.emplace();
    (*policy).*keep.field = ParseCount(keep.name, vm[keep.name].as<std::string>());
  }
  return policy;
}

// One snapshot of the result: kept (with its rules) or forgotten.
struct Decision {
  const Snapshot* snapshot;
  bool forget;
  uint32_t rules;
};

// Kept ones are listed only under a policy: for named snapshots, "kept" just means "not named".
std::vector<Decision> Decisions(const ForgetResult& result, bool with_kept) {
  std::vector<Decision> out;
  if (with_kept) {
    for (const KeptSnapshot& k : result.kept) out.push_back(Decision{&k.snapshot, false, k.rules});
  }
  for (const Snapshot& s : result.forgotten) out.push_back(Decision{&s, true, 0});
  std::sort(out.begin(), out.end(), [](const Decision& a, const Decision& b) {
    return a.snapshot->time_ns != b.snapshot->time_ns ? a.snapshot->time_ns < b.snapshot->time_ns
                                                      : a.snapshot->id < b.snapshot->id;
  });
  return out;
}

void PrintDecision(const Decision& d, CliLog& log) {
  const Snapshot& s = *d.snapshot;
  const std::vector<std::string> reasons = KeepRuleNames(d.rules);
  if (log.json()) {
    JsonObject o;
    o.Add("type", d.forget ? "forget" : "keep").Add("id", s.id).Add("name", s.name);
    o.Add("time", Rfc3339(s.time_ns));
    if (!d.forget) o.Add("reasons", reasons);
    log.Emit(o.str());
    return;
  }
  std::string why;
  for (const std::string& r : reasons) why += (why.empty() ? "" : ", ") + r;
  std::string line = std::string(d.forget ? "forget" : "keep  ") + "  " + s.id.substr(0, 12) + "  " + s.name;
  if (!why.empty()) line += std::string(s.name.size() < 22 ? 24 - s.name.size() : 2, ' ') + why;
  std::cout << line << '\n';
}

void PrintSummary(const ForgetResult& result, bool dry_run, CliLog& log) {
  if (log.json()) {
    JsonObject o;
    o.Add("type", "summary").Add("kept", uint64_t{result.kept.size()});
    o.Add("forgotten", uint64_t{result.forgotten.size()}).Add("dry_run", dry_run);
    log.Emit(o.str());
    return;
  }
  if (dry_run) {
    std::cout << "would forget " << result.forgotten.size() << " snapshots and keep " << result.kept.size()
              << " (dry run: nothing was removed)\n";
  } else {
    std::cout << "forgot " << result.forgotten.size() << " snapshots, kept " << result.kept.size() << '\n';
  }
}

}  // namespace

const Command& ForgetCommand() {
  static const Command command{
      "forget",
      "forget -s STORE (SNAPSHOT... | [--keep-last N] [--keep-hourly N] [--keep-daily N] [--keep-weekly N] "
      "[--keep-monthly N] [--keep-yearly N] [--force]) [--dry-run] [--json]",
      "forget snapshots, named or by a retention policy (their data stays until a prune)",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        for (const KeepOption& keep : kKeepOptions) {
          d.add_options()(keep.name, po::value<std::string>()->value_name("N"), keep.help);
        }
        d.add_options()("dry-run", po::bool_switch(), "list what would be forgotten and why, remove nothing")(
            "force", po::bool_switch(), "let a policy forget every snapshot")(
            "snapshots", po::value<std::vector<std::string>>(), "");
        p.add("snapshots", -1);
      },
      [](const po::variables_map& vm) {
        ForgetRequest request;
        if (vm.count("snapshots") != 0) request.snapshots = vm["snapshots"].as<std::vector<std::string>>();
        request.policy = PolicyOf(vm);
        if (request.snapshots.empty() && !request.policy)
          throw UsageError("needs SNAPSHOT... or --keep-* options");
        if (!request.snapshots.empty() && request.policy) {
          throw UsageError("takes SNAPSHOT... or --keep-* options, not both");
        }
        request.dry_run = vm["dry-run"].as<bool>();
        request.force = vm["force"].as<bool>();
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        auto result = repo->Forget(request);
        if (!result.ok()) return ErrorExit(result.status());
        for (const Decision& d : Decisions(*result, request.policy.has_value())) PrintDecision(d, *log);
        PrintSummary(*result, request.dry_run, *log);
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
