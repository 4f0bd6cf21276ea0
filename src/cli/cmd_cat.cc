#include <cerrno>
#include <cstdio>

#include "src/cli/cli.h"

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
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        if (log->json()) throw UsageError("--json: cat writes the file's bytes, not JSON");
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        const std::string path = vm["path"].as<std::string>();
        Status s = repo->WriteFile(vm["snapshot"].as<std::string>(), path, stdout);
        if (s.ok() && std::fflush(stdout) != 0) s = Status::FromErrno(path + ": write to output", errno);
        if (!s.ok()) return ErrorExit(s);
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
