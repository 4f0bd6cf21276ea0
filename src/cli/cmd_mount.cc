#include <iostream>

#include "fuse/mount.h"
#include "src/cli/cli.h"
#include "src/cli/json.h"

namespace strata::cli {
namespace {

// Mount and umount print nothing but, with --json, their summary.
void PrintMountSummary(const po::variables_map& vm, const std::string& mountpoint) {
  if (!JsonOutput(vm)) return;
  JsonObject o;
  o.Add("type", "summary").Add("mountpoint", mountpoint);
  std::cout << o.str() << std::endl;
}

}  // namespace

const Command& MountCommand() {
  static const Command command{
      "mount",
      "mount -s STORE MOUNTPOINT [-f] [-o allow_other] [--log-file F] [--cache-dir D] [--cache-size SIZE] "
      "[--no-cache]",
      "show every snapshot as a read-only directory (returns once mounted; -f stays in the foreground)",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        d.add_options()("foreground,f", po::bool_switch(), "stay in the foreground, log to stderr")(
            "option,o", po::value<std::vector<std::string>>()->value_name("OPT"),
            "mount option; only allow_other is accepted (needs root or user_allow_other in /etc/fuse.conf)")(
            "log-file", po::value<std::string>()->value_name("F"),
            "append log lines (damaged objects, mounts) to F")(
            "cache-dir", po::value<std::string>()->value_name("D"),
            "block cache directory (default: $XDG_CACHE_HOME/strata/STORE-UUID, ~/.cache without it)")(
            "cache-size", po::value<std::string>()->value_name("SIZE"),
            "block cache size, e.g. 512M or 2G; at least 1M (default: 1G)")(
            "no-cache", po::bool_switch(), "use no block cache")("mountpoint", po::value<std::string>(), "");
        p.add("mountpoint", 1);
      },
      [](const po::variables_map& vm) {
        if (vm.count("mountpoint") == 0) throw UsageError("no MOUNTPOINT given");
        MountOptions options;
        options.store = StorePath(vm);
        options.mountpoint = vm["mountpoint"].as<std::string>();
        options.foreground = vm["foreground"].as<bool>();
        if (vm.count("log-file") != 0) options.log_file = vm["log-file"].as<std::string>();
        options.cache = !vm["no-cache"].as<bool>();
        if (vm.count("cache-dir") != 0) options.cache_dir = vm["cache-dir"].as<std::string>();
        if (vm.count("cache-dir") != 0 && options.cache_dir.empty())
          throw UsageError("--cache-dir: empty path");
        if (vm.count("cache-size") != 0) {
          options.cache_size = ParseSize("--cache-size", vm["cache-size"].as<std::string>());
          if (options.cache_size < kMinBlockCacheBytes) throw UsageError("--cache-size: at least 1M");
        }
        if (vm.count("option") != 0) {
          for (const std::string& o : vm["option"].as<std::vector<std::string>>()) {
            if (o != "allow_other") throw UsageError("unsupported mount option '" + o + "'");
            options.allow_other = true;
          }
        }
        options.password = StorePassword(vm);
        Status s = RunMount(options);
        if (!s.ok()) return ErrorExit(s);
        PrintMountSummary(vm, options.mountpoint);
        return kExitOk;
      }};
  return command;
}

const Command& UmountCommand() {
  static const Command command{"umount", "umount MOUNTPOINT", "unmount a strata mount",
                               [](po::options_description& d, po::positional_options_description& p) {
                                 d.add_options()("mountpoint", po::value<std::string>(), "");
                                 p.add("mountpoint", 1);
                               },
                               [](const po::variables_map& vm) {
                                 if (vm.count("mountpoint") == 0) throw UsageError("no MOUNTPOINT given");
                                 Status s = Unmount(vm["mountpoint"].as<std::string>());
                                 if (!s.ok()) return ErrorExit(s);
                                 PrintMountSummary(vm, vm["mountpoint"].as<std::string>());
                                 return kExitOk;
                               }};
  return command;
}

}  // namespace strata::cli
