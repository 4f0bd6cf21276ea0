#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"
#include "src/cli/progress_display.h"

namespace strata::cli {
namespace {

std::string DamageJson(const DamagedObject& p) {
  std::string deps = "[";
  for (size_t i = 0; i < p.paths.size(); i++) {
    const DamagedPath& d = p.paths[i];
    JsonObject o;
    o.Add("snapshot", d.snapshot).Add("snapshot_id", d.snapshot_id).Add("path", d.path);
    deps += (i ? "," : "") + o.str();
  }
  JsonObject o;
  o.Add("type", "damage").Add("object", p.object).Add("kind", p.kind).Add("message", p.message);
  o.AddRaw("dependents", deps + "]").Add("more_dependents", p.more_paths);
  return o.str();
}

std::string DamagedObjects(size_t n) {
  return std::to_string(n) + (n == 1 ? " damaged object" : " damaged objects");
}

void PrintDamage(const DamagedObject& p) {
  std::cout << "damaged " << p.kind << (p.object.empty() ? "" : " " + p.object) << ": " << Escape(p.message)
            << "\n";
  for (const DamagedPath& d : p.paths)
    std::cout << "  needed by " << d.snapshot << ": " << Escape(d.path) << "\n";
  if (p.more_paths != 0) std::cout << "  ... and " << p.more_paths << " more\n";
}

}  // namespace

const Command& CheckCommand() {
  static const Command command{
      "check", "check -s STORE [--read-data] [--json]", "verify that every snapshot can be read back",
      [](po::options_description& d, po::positional_options_description&) {
        AddStoreOption(d);
        d.add_options()("read-data", po::bool_switch(),
                        "also rebuild every file version and verify every frame and content hash");
      },
      [](const po::variables_map& vm) {
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        // Damaged objects are listed on stdout (or as damage events), not once more as log records.
        log->ObjectsInResults();
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        const bool json = log->json();
        // Check has always shown its progress: checking a large store takes a while.
        ProgressDisplay progress("check", "snapshots", !vm["quiet"].as<bool>(), log.get());
        CheckRequest request;
        request.read_data = vm["read-data"].as<bool>();
        auto result = repo->Check(request, &progress);
        progress.Clear();
        if (!result.ok()) return ErrorExit(result.status());
        const CheckReport& r = *result;
        const uint64_t damaged = r.damaged.size() + r.more_damaged;
        for (const DamagedObject& p : r.damaged) {
          if (json) {
            log->Emit(DamageJson(p));
          } else {
            PrintDamage(p);
          }
        }
        if (json) {
          JsonObject o;
          o.Add("type", "summary").Add("read_data", request.read_data);
          o.Add("snapshots", r.snapshots).Add("index_files", r.index_files).Add("trees", r.trees);
          o.Add("versions", r.versions).Add("objects", r.objects).Add("bytes_read", r.bytes_read);
          o.Add("damaged", damaged).Add("unlisted", r.more_damaged);
          log->Emit(o.str());
        } else {
          if (r.more_damaged != 0)
            std::cout << "... and " << DamagedObjects(r.more_damaged) << " more, not listed\n";
          std::cout << "checked " << r.snapshots << " snapshots, " << r.index_files << " index files, "
                    << r.trees << " trees, " << r.versions << " file versions, " << r.objects
                    << " data and signature objects"
                    << (request.read_data ? ", " + HumanBytes(r.bytes_read) + " of content rebuilt" : "")
                    << ": " << (damaged == 0 ? "no damage found" : DamagedObjects(damaged)) << std::endl;
        }
        if (damaged == 0) return kExitOk;
        PrintError("store " + repo->path() + " is damaged: " + DamagedObjects(damaged) +
                   " (listed on standard output)");
        return kExitError;
      }};
  return command;
}

}  // namespace strata::cli
