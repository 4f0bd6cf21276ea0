#include <sys/sysmacros.h>

#include <ctime>
#include <iostream>

#include "src/cli/cli.h"
#include "src/deep_stack.h"
#include "src/tree_walk.h"

namespace strata::cli {
namespace {

std::string ModeString(const TreeEntry& e) {
  const char types[] = {'?', '-', 'd', 'l', 'p', 'c', 'b'};
  std::string s(10, '-');
  s[0] = types[static_cast<int>(e.type)];
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; i++) {
    if (e.mode & (0400 >> i)) s[1 + i] = rwx[i];
  }
  if (e.mode & 04000) s[3] = (e.mode & 0100) ? 's' : 'S';
  if (e.mode & 02000) s[6] = (e.mode & 010) ? 's' : 'S';
  if (e.mode & 01000) s[9] = (e.mode & 01) ? 't' : 'T';
  return s;
}

void PrintEntry(const TreeEntry& e, const std::string& path, bool long_format) {
  if (!long_format) {
    std::cout << Escape(path) << "\n";
    return;
  }
  std::string owner = (e.user.empty() ? std::to_string(e.uid) : e.user) + "/" +
                      (e.group.empty() ? std::to_string(e.gid) : e.group);
  std::string size = (e.type == EntryType::kCharDevice || e.type == EntryType::kBlockDevice)
                         ? std::to_string(major(e.rdev)) + "," + std::to_string(minor(e.rdev))
                         : std::to_string(e.size);
  time_t t = static_cast<time_t>(e.mtime_ns / 1000000000);
  struct tm tm;
  localtime_r(&t, &tm);
  char when[32];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
  std::cout << ModeString(e) << " " << Escape(owner) << " "
            << std::string(size.size() < 10 ? 10 - size.size() : 0, ' ') << size << " " << when << " "
            << Escape(path);
  if (e.type == EntryType::kSymlink) std::cout << " -> " << Escape(e.symlink_target);
  std::cout << "\n";
}

Status List(Store* store, const TreeEntry& dir, const std::string& prefix, bool long_format, bool recursive,
            TreeWalk* walk) {
  STRATA_RETURN_IF_ERROR(walk->Enter(dir.ref));
  auto tree = store->LoadTree(dir.ref);
  Status s = tree.status();
  for (size_t i = 0; s.ok() && i < tree->entries.size(); i++) {
    const TreeEntry& e = tree->entries[i];
    std::string path = prefix.empty() ? e.name : prefix + "/" + e.name;
    PrintEntry(e, path, long_format);
    if (recursive && e.type == EntryType::kDirectory) s = List(store, e, path, long_format, recursive, walk);
  }
  walk->Leave();
  return s;
}

}  // namespace

const Command& LsCommand() {
  static const Command command{
      "ls", "ls -s STORE SNAPSHOT [PATH] [-l] [-r]", "list the files of a snapshot (tar tvf style with -l)",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        d.add_options()("long,l", po::bool_switch(), "mode, owner, size, mtime, name")(
            "recursive,r", po::bool_switch(), "descend into directories")(
            "snapshot", po::value<std::string>(), "")("path", po::value<std::string>()->default_value(""),
                                                      "");
        p.add("snapshot", 1).add("path", 1);
      },
      [](const po::variables_map& vm) {
        if (vm.count("snapshot") == 0) throw UsageError("no SNAPSHOT given");
        auto store = OpenStore(vm);
        if (!store) return kExitError;
        auto snap = store->FindSnapshot(vm["snapshot"].as<std::string>());
        if (!snap.ok()) return ErrorExit(snap.status());
        std::string path = vm["path"].as<std::string>();
        while (path.size() > 1 && path.back() == '/') path.pop_back();
        if (path == "/" || path == ".") path.clear();
        auto entry = store->Lookup(snap->manifest, path);
        if (!entry.ok()) return ErrorExit(entry.status());
        bool long_format = vm["long"].as<bool>();
        if (entry->type != EntryType::kDirectory) {
          PrintEntry(*entry, path, long_format);
          return kExitOk;
        }
        TreeWalk walk;
        Status s;
        RunOnDeepStack(kDeepWalkStack, [&] {
          s = List(store.get(), *entry, path, long_format, vm["recursive"].as<bool>(), &walk);
        });
        if (!s.ok()) return ErrorExit(s);
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
