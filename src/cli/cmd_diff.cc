#include <iostream>

#include "src/cli/change_output.h"
#include "src/cli/cli.h"
#include "src/snapshot_diff.h"

namespace strata::cli {
namespace {

void PrintChange(const TreeChange& c, bool json) {
  const TreeEntry& e = c.after != nullptr ? *c.after : *c.before;
  if (!json) {
    std::cout << ChangeMarker(c.kind) << ' ' << ShownEntryPath(c.path, e) << '\n';
    return;
  }
  JsonObject o;
  o.Add("type", "change").Add("change", ChangeName(c.kind)).Add("path", c.path);
  if (c.before != nullptr) o.AddRaw("before", EntryJson(*c.before));
  if (c.after != nullptr) o.AddRaw("after", EntryJson(*c.after));
  if (c.kind == ChangeKind::kModified || c.kind == ChangeKind::kMetadata) {
    o.Add("metadata", MetadataNames(c.metadata));
  }
  std::cout << o.str() << '\n';
}

void PrintSummary(const DiffSummary& s, const SnapshotInfo& a, const SnapshotInfo& b, bool json) {
  if (json) {
    JsonObject o;
    o.Add("type", "summary").Add("before", a.manifest.id.Hex()).Add("after", b.manifest.id.Hex());
    o.Add("created", s.created).Add("deleted", s.deleted).Add("modified", s.modified);
    o.Add("metadata", s.metadata).Add("type_changed", s.type_changed);
    std::cout << o.str() << '\n';
    return;
  }
  std::cout << a.name << " -> " << b.name << ": " << s.created << " created, " << s.deleted << " deleted, "
            << s.modified << " modified, " << s.metadata << " metadata only, " << s.type_changed
            << " type changed\n";
}

}  // namespace

const Command& DiffCommand() {
  static const Command command{
      "diff", "diff -s STORE SNAPSHOT_A SNAPSHOT_B [PATH] [--json]",
      "list what changed from one snapshot to another (+ - M m T per path)",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        d.add_options()("a", po::value<std::string>(), "")("b", po::value<std::string>(), "")(
            "path", po::value<std::string>()->default_value(""), "");
        p.add("a", 1).add("b", 1).add("path", 1);
      },
      [](const po::variables_map& vm) {
        if (vm.count("a") == 0 || vm.count("b") == 0) throw UsageError("needs SNAPSHOT_A and SNAPSHOT_B");
        auto store = OpenStore(vm);
        if (!store) return kExitError;
        auto a = store->FindSnapshot(vm["a"].as<std::string>());
        if (!a.ok()) return ErrorExit(a.status());
        auto b = store->FindSnapshot(vm["b"].as<std::string>());
        if (!b.ok()) return ErrorExit(b.status());
        const bool json = JsonOutput(vm);
        auto summary =
            DiffSnapshots(store.get(), *a, *b, vm["path"].as<std::string>(), [&](const TreeChange& c) {
              PrintChange(c, json);
              return Status::Ok();
            });
        if (!summary.ok()) return ErrorExit(summary.status());
        PrintSummary(*summary, *a, *b, json);
        std::cout.flush();
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
