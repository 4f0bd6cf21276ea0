#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"

namespace strata::cli {

const Command& SnapshotsCommand() {
  static const Command command{
      "snapshots", "snapshots -s STORE [--json]", "list the snapshots in a store, oldest first",
      [](po::options_description& d, po::positional_options_description&) {
        AddStoreOption(d);
        d.add_options()("json", po::bool_switch(), "print a JSON array");
      },
      [](const po::variables_map& vm) {
        auto store = OpenStore(vm);
        if (!store) return kExitError;
        std::vector<std::string> problems;
        auto list = store->ListSnapshots(&problems);
        if (!list.ok()) return ErrorExit(list.status());
        for (const std::string& p : problems) PrintError("warning: skipping damaged snapshot: " + p);
        if (vm["json"].as<bool>()) {
          std::cout << "[";
          for (size_t i = 0; i < list->size(); i++) {
            const Manifest& m = (*list)[i].manifest;
            JsonObject o;
            o.Add("id", m.id.Hex()).Add("name", (*list)[i].name).Add("time", Rfc3339(m.time_ns));
            o.Add("label", m.label).Add("host", m.host).Add("paths", m.paths);
            o.Add("files", m.stats.files).Add("dirs", m.stats.dirs).Add("bytes", m.stats.bytes);
            o.Add("bytes_read", m.stats.bytes_read).Add("added_bytes", m.stats.bytes_added);
            o.Add("files_new", m.stats.files_new).Add("files_changed", m.stats.files_changed);
            o.Add("files_unchanged", m.stats.files_unchanged).Add("errors", m.stats.errors);
            if (m.parent.IsZero()) {
              o.AddNull("parent");
            } else {
              o.Add("parent", m.parent.Hex());
            }
            std::cout << (i ? ",\n " : "\n ") << o.str();
          }
          std::cout << (list->empty() ? "]\n" : "\n]\n");
          return problems.empty() ? kExitOk : kExitError;
        }
        printf("%-12s  %-22s  %-12s  %10s  %10s  %s\n", "ID", "NAME", "HOST", "FILES", "SIZE", "LABEL");
        for (const SnapshotInfo& s : *list) {
          printf("%-12s  %-22s  %-12s  %10llu  %10s  %s\n", s.manifest.id.Hex().substr(0, 12).c_str(),
                 s.name.c_str(), Escape(s.manifest.host).c_str(),
                 static_cast<unsigned long long>(s.manifest.stats.files),
                 HumanBytes(s.manifest.stats.bytes).c_str(), Escape(s.manifest.label).c_str());
        }
        return problems.empty() ? kExitOk : kExitError;
      }};
  return command;
}

}  // namespace strata::cli
