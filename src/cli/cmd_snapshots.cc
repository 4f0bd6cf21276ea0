#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"

namespace strata::cli {
namespace {

std::string SnapshotJson(const Snapshot& s) {
  JsonObject o;
  o.Add("type", "snapshot").Add("id", s.id).Add("name", s.name).Add("time", Rfc3339(s.time_ns));
  o.Add("label", s.label).Add("host", s.host).Add("paths", s.paths);
  o.Add("files", s.files).Add("dirs", s.dirs).Add("bytes", s.bytes);
  o.Add("bytes_read", s.bytes_read).Add("added_bytes", s.bytes_added);
  o.Add("files_new", s.files_new).Add("files_changed", s.files_changed);
  o.Add("files_unchanged", s.files_unchanged).Add("errors", s.errors);
  auto id_or_null = [&o](const char* key, const std::string& id) {
    if (id.empty()) {
      o.AddNull(key);
    } else {
      o.Add(key, id);
    }
  };
  id_or_null("parent", s.parent_id);
  id_or_null("origin", s.origin_id);
  return o.str();
}

}  // namespace

const Command& SnapshotsCommand() {
  static const Command command{
      "snapshots", "snapshots -s STORE [--json]", "list the snapshots in a store, oldest first",
      [](po::options_description& d, po::positional_options_description&) { AddStoreOption(d); },
      [](const po::variables_map& vm) {
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        auto list = repo->ListSnapshots();
        if (!list.ok()) return ErrorExit(list.status());
        // A damaged snapshot was logged as a warning, and makes the listing incomplete.
        const int exit_code = log->problems() == 0 ? kExitOk : kExitError;
        if (log->json()) {
          for (const Snapshot& s : *list) log->Emit(SnapshotJson(s));
          JsonObject o;
          o.Add("type", "summary").Add("snapshots", uint64_t{list->size()});
          log->Emit(o.str());
          return exit_code;
        }
        printf("%-12s  %-22s  %-12s  %10s  %10s  %s\n", "ID", "NAME", "HOST", "FILES", "SIZE", "LABEL");
        for (const Snapshot& s : *list) {
          printf("%-12s  %-22s  %-12s  %10llu  %10s  %s\n", s.id.substr(0, 12).c_str(), s.name.c_str(),
                 Escape(s.host).c_str(), static_cast<unsigned long long>(s.files),
                 HumanBytes(s.bytes).c_str(), Escape(s.label).c_str());
        }
        return exit_code;
      }};
  return command;
}

}  // namespace strata::cli
