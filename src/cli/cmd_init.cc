#include <iostream>

#include "src/cli/cli.h"

namespace strata::cli {

const Command& InitCommand() {
  static const Command command{
      "init", "init -s STORE [--max-chain N] [--compression-level L] [--pack-size MIB]",
      "create a new, empty store",
      [](po::options_description& d, po::positional_options_description&) {
        AddStoreOption(d);
        d.add_options()("max-chain", po::value<uint32_t>()->value_name("N"),
                        "default longest delta chain before a full copy is stored (default 32)")(
            "compression-level", po::value<int>()->value_name("L"), "zstd level, -7..22 (default 3)")(
            "pack-size", po::value<uint32_t>()->value_name("MIB"),
            "size at which a pack file is sealed, in MiB, 1..4096 (default 64)");
      },
      [](const po::variables_map& vm) {
        StoreParams params;
        if (vm.count("max-chain") != 0) params.max_chain = vm["max-chain"].as<uint32_t>();
        if (vm.count("compression-level") != 0) params.zstd_level = vm["compression-level"].as<int>();
        if (params.max_chain < 1 || params.max_chain > 1000) throw UsageError("--max-chain must be 1..1000");
        if (params.zstd_level < -7 || params.zstd_level > 22)
          throw UsageError("--compression-level must be -7..22");
        if (vm.count("pack-size") != 0) {
          const uint32_t mib = vm["pack-size"].as<uint32_t>();
          if (mib < 1 || mib > 4096) throw UsageError("--pack-size must be 1..4096");
          params.pack_target_size = uint64_t{mib} << 20;
        }
        std::string path = StorePath(vm);
        Status s = Store::Init(Env::Default(), path, params);
        if (!s.ok()) return ErrorExit(s);
        auto store = Store::Open(Env::Default(), path);
        if (!store.ok()) return ErrorExit(store.status());
        std::cout << "created store " << path << " (id " << (*store)->header().UuidString() << ")\n";
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
