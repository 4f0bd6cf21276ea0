#include <cstdio>
#include <iostream>

#include "src/cli/change_output.h"
#include "src/cli/cli.h"
#include "src/path_log.h"

namespace strata::cli {
namespace {

std::string StorageText(const PathVersion& v) {
  switch (v.storage) {
    case Storage::kNone:
      return "-";
    case Storage::kFull:
      return "FULL";
    case Storage::kDelta:
      return "DELTA " + std::to_string(v.chain_depth);
  }
  return "";
}

// One line of the table; no trailing blanks when CHANGED is empty.
std::string Row(const std::string& id, const std::string& name, char marker, const std::string& size,
                const std::string& stored, const std::string& changed) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%-12s  %-22s  %c  %12s  %-9s  ", id.c_str(), name.c_str(), marker,
                size.c_str(), stored.c_str());
  std::string line = buf + changed;
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

void PrintVersion(const PathVersion& v, const SnapshotInfo& s, bool json) {
  std::string details;
  for (const std::string& name : MetadataNames(v.metadata)) details += (details.empty() ? "" : ",") + name;
  if (v.kind == ChangeKind::kTypeChanged) details = std::string("now a ") + EntryTypeName(v.entry.type);
  if (json) {
    JsonObject o;
    o.Add("type", "version").Add("snapshot", s.manifest.id.Hex()).Add("name", s.name);
    o.Add("time", Rfc3339(s.manifest.time_ns)).Add("change", ChangeName(v.kind));
    o.Add("metadata", MetadataNames(v.metadata)).Add("size", v.entry.size);
    if (v.storage == Storage::kNone) {
      o.AddNull("storage");
    } else {
      o.Add("storage", v.storage == Storage::kFull ? "full" : "delta")
          .Add("chain_depth", uint64_t{v.chain_depth});
    }
    o.AddRaw("entry", EntryJson(v.entry));
    std::cout << o.str() << '\n';
    return;
  }
  const bool gone = v.kind == ChangeKind::kDeleted;
  std::string line = Row(s.manifest.id.Hex().substr(0, 12), s.name, ChangeMarker(v.kind),
                         gone ? "-" : std::to_string(v.entry.size), gone ? "-" : StorageText(v), details);
  std::cout << line << '\n';
}

}  // namespace

const Command& LogCommand() {
  static const Command command{
      "log", "log -s STORE PATH [--json]",
      "list the snapshots in which a path appeared, changed or disappeared, and how each version is stored",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        d.add_options()("path", po::value<std::string>(), "");
        p.add("path", 1);
      },
      [](const po::variables_map& vm) {
        if (vm.count("path") == 0) throw UsageError("needs PATH");
        auto store = OpenStore(vm);
        if (!store) return kExitError;
        std::vector<std::string> problems;
        auto snapshots = store->ListSnapshots(&problems);
        if (!snapshots.ok()) return ErrorExit(snapshots.status());
        for (const std::string& p : problems) PrintError("warning: skipping damaged snapshot: " + p);
        auto log = PathLog(store.get(), *snapshots, vm["path"].as<std::string>());
        if (!log.ok()) return ErrorExit(log.status());
        const bool json = JsonOutput(vm);
        if (!json) {
          std::cout << Row("ID", "NAME", ' ', "SIZE", "STORED", "CHANGED") << '\n';
        }
        for (const PathVersion& v : *log) PrintVersion(v, (*snapshots)[v.snapshot], json);
        std::cout.flush();
        return problems.empty() ? kExitOk : kExitError;
      }};
  return command;
}

}  // namespace strata::cli
