#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "src/cli/cli.h"
#include "src/tar_export.h"

namespace strata::cli {
namespace {

// Writes the archive to `out`; `name` names it in errors.
Status WriteArchive(Store* store, const SnapshotInfo& snapshot, const std::string& path, std::FILE* out,
                    const std::string& name) {
  auto stats = ExportTar(store, snapshot, path, [&](std::string_view bytes) -> Status {
    if (std::fwrite(bytes.data(), 1, bytes.size(), out) != bytes.size()) {
      return Status::FromErrno("write to " + name, errno);
    }
    return Status::Ok();
  });
  if (!stats.ok()) return stats.status();
  if (std::fflush(out) != 0) return Status::FromErrno("write to " + name, errno);
  return Status::Ok();
}

}  // namespace

const Command& ExportTarCommand() {
  static const Command command{
      "export-tar", "export-tar -s STORE SNAPSHOT [PATH] [-o FILE|-]",
      "write a snapshot, or one path of it, as a POSIX pax (tar) archive",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        d.add_options()("output,o", po::value<std::string>()->value_name("FILE")->default_value("-"),
                        "the archive file; - for standard output (the default)")(
            "snapshot", po::value<std::string>(), "")("path", po::value<std::string>()->default_value(""),
                                                      "");
        p.add("snapshot", 1).add("path", 1);
      },
      [](const po::variables_map& vm) {
        if (vm.count("snapshot") == 0) throw UsageError("needs SNAPSHOT");
        const std::string output = vm["output"].as<std::string>();
        if (output.empty()) throw UsageError("-o: empty file name");
        const bool to_stdout = output == "-";
        if (to_stdout && isatty(STDOUT_FILENO) != 0) {
          throw UsageError("refusing to write an archive to a terminal (use -o FILE or a pipe)");
        }
        auto store = OpenStore(vm);
        if (!store) return kExitError;
        auto snap = store->FindSnapshot(vm["snapshot"].as<std::string>());
        if (!snap.ok()) return ErrorExit(snap.status());
        const std::string path = vm["path"].as<std::string>();
        if (auto entry = store->Lookup(snap->manifest, path); !entry.ok()) return ErrorExit(entry.status());
        if (to_stdout) {
          Status s = WriteArchive(store.get(), *snap, path, stdout, "standard output");
          return s.ok() ? kExitOk : ErrorExit(s);
        }
        std::FILE* out = std::fopen(output.c_str(), "wb");
        if (out == nullptr) return ErrorExit(Status::FromErrno("archive " + output, errno));
        Status s = WriteArchive(store.get(), *snap, path, out, output);
        if (std::fclose(out) != 0 && s.ok()) s = Status::FromErrno("write to " + output, errno);
        if (s.ok()) return kExitOk;
        std::remove(output.c_str());  // a partial archive would look like a whole one to tar
        return ErrorExit(s);
      }};
  return command;
}

}  // namespace strata::cli
