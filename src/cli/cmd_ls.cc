#include <sys/sysmacros.h>

#include <ctime>
#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"

namespace strata::cli {
namespace {

std::string ModeString(const Entry& e) {
  const char types[] = {'-', 'd', 'l', 'p', 'c', 'b'};
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

void PrintEntry(const Entry& e, const std::string& path, bool long_format) {
  if (!long_format) {
    std::cout << Escape(path) << "\n";
    return;
  }
  std::string owner = (e.user.empty() ? std::to_string(e.uid) : e.user) + "/" +
                      (e.group.empty() ? std::to_string(e.gid) : e.group);
  std::string size = (e.type == FileType::kCharDevice || e.type == FileType::kBlockDevice)
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
  if (e.type == FileType::kSymlink) std::cout << " -> " << Escape(e.symlink_target);
  std::cout << "\n";
}

std::string EntryJson(const std::string& path, const Entry& e) {
  static const char* const kTypes[] = {"file", "dir", "symlink", "fifo", "char", "block"};
  JsonObject o;
  o.Add("type", "entry").Add("path", path).Add("kind", kTypes[static_cast<int>(e.type)]);
  o.Add("mode", uint64_t{e.mode}).Add("uid", uint64_t{e.uid}).Add("gid", uint64_t{e.gid});
  o.Add("user", e.user).Add("group", e.group).Add("size", e.size).Add("mtime_ns", e.mtime_ns);
  if (e.type == FileType::kSymlink) o.Add("target", e.symlink_target);
  return o.str();
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
        auto log = MakeLog(vm);
        if (!log) return kExitError;
        auto repo = OpenRepository(vm, log.get());
        if (!repo) return kExitError;
        const std::string snapshot = vm["snapshot"].as<std::string>();
        std::string path = vm["path"].as<std::string>();
        while (path.size() > 1 && path.back() == '/') path.pop_back();
        if (path == "/" || path == ".") path.clear();
        auto entry = repo->Stat(snapshot, path);
        if (!entry.ok()) return ErrorExit(entry.status());
        const bool long_format = vm["long"].as<bool>();
        uint64_t listed = 0;
        auto print = [&](const std::string& p, const Entry& e) {
          listed++;
          if (log->json()) {
            log->Emit(EntryJson(p, e));
          } else {
            PrintEntry(e, p, long_format);
          }
        };
        Status s;
        if (entry->type != FileType::kDirectory) {
          print(path, *entry);
        } else if (vm["recursive"].as<bool>()) {
          s = repo->ListTree(snapshot, path, print);
        } else {
          auto entries = repo->ListDir(snapshot, path);
          s = entries.status();
          if (s.ok()) {
            for (const Entry& e : *entries) print(path.empty() ? e.name : path + "/" + e.name, e);
          }
        }
        if (!s.ok()) return ErrorExit(s);
        if (log->json()) {
          JsonObject o;
          o.Add("type", "summary").Add("entries", listed);
          log->Emit(o.str());
        }
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
