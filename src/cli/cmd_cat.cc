#include <cstdio>

#include "src/cli/cli.h"
#include "src/restore.h"

namespace strata::cli {

const Command& CatCommand() {
  static const Command command{
      "cat", "cat -s STORE SNAPSHOT PATH", "write one file's content to standard output",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        d.add_options()("snapshot", po::value<std::string>(), "")("path", po::value<std::string>(), "");
        p.add("snapshot", 1).add("path", 1);
      },
      [](const po::variables_map& vm) {
        if (vm.count("snapshot") == 0 || vm.count("path") == 0) throw UsageError("needs SNAPSHOT and PATH");
        auto store = OpenStore(vm);
        if (!store) return kExitError;
        auto snap = store->FindSnapshot(vm["snapshot"].as<std::string>());
        if (!snap.ok()) return ErrorExit(snap.status());
        const std::string path = vm["path"].as<std::string>();
        auto entry = store->Lookup(snap->manifest, path);
        if (!entry.ok()) return ErrorExit(entry.status());
        if (entry->type != EntryType::kRegular)
          return ErrorExit(Status::InvalidArgument(path + ": not a regular file"));
        Status s = WriteVersionTo(store.get(), entry->ref, entry->size, stdout, path);
        if (s.ok() && std::fflush(stdout) != 0) s = Status::FromErrno("write to output", errno);
        if (!s.ok()) {
          PrintError(path + ": " + s.message());
          return kExitError;
        }
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
