#include <bit>
#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"
#include "src/password.h"

namespace strata::cli {
namespace {

PasswordCallback NewStorePassword(const po::variables_map& vm) {
  PasswordRequest request;
  if (vm.count("password-file") != 0) request.file = vm["password-file"].as<std::string>();
  request.prompt = "New password: ";
  request.confirm = true;
  return AsCallback([request] { return ReadPassword(request); });
}

int Create(const po::variables_map& vm, const std::string& path, const InitOptions& options) {
  Status s = Repository::Init(path, options);
  if (!s.ok()) return ErrorExit(s);
  auto header = Repository::Inspect(path);
  if (!header.ok()) return ErrorExit(header.status());
  if (JsonOutput(vm)) {
    JsonObject o;
    o.Add("type", "summary").Add("store", path).Add("id", header->id);
    o.Add("encrypted", header->encrypted);
    if (!options.from.empty()) o.Add("from", options.from);
    std::cout << o.str() << "\n";
  } else {
    std::cout << "created " << (header->encrypted ? "encrypted" : "plain") << " store " << path << " (id "
              << header->id << ")" << (options.from.empty() ? "" : " sharing the keys of " + options.from)
              << "\n";
  }
  return kExitOk;
}

// init --from SRC: the parameters and the encryption are SRC's.
int InitFrom(const po::variables_map& vm) {
  for (const char* option : {"encryption", "max-chain", "compression-level", "pack-size", "frame-size"}) {
    if (vm.count(option) != 0) {
      throw UsageError(std::string("--") + option + " cannot be combined with --from (the new store takes " +
                       "SRC's parameters)");
    }
  }
  InitOptions options;
  options.from = vm["from"].as<std::string>();
  if (options.from.empty()) throw UsageError("--from: empty path");
  if (vm.count("kdf") != 0) {
    auto parsed = ParseKeyStrength(vm["kdf"].as<std::string>());
    if (!parsed.ok()) throw UsageError("--kdf: " + parsed.status().message());
    options.key_strength = *parsed;
  }
  PasswordRequest from;
  if (vm.count("from-password-file") != 0) from.file = vm["from-password-file"].as<std::string>();
  from.file_option = "--from-password-file";
  from.file_env = "STRATA_FROM_PASSWORD_FILE";
  from.value_env = "STRATA_FROM_PASSWORD";
  from.prompt = "Password of " + options.from + ": ";
  options.from_password = AsCallback([from] { return ReadPassword(from); });
  options.password = NewStorePassword(vm);
  return Create(vm, StorePath(vm), options);
}

}  // namespace

const Command& InitCommand() {
  static const Command command{
      "init",
      "init -s STORE [--encryption xchacha20|none] [--kdf STRENGTH] [--password-file F] [--max-chain N] "
      "[--compression-level L] [--pack-size MIB] [--frame-size KIB] | init -s STORE --from SRC "
      "[--from-password-file F] [--kdf STRENGTH] [--password-file F]",
      "create a new, empty store (encrypted unless --encryption none), or one sharing SRC's keys (--from)",
      [](po::options_description& d, po::positional_options_description&) {
        AddStoreOption(d);
        d.add_options()("encryption", po::value<std::string>()->value_name("MODE"),
                        "xchacha20 (default: XChaCha20-Poly1305 under an Argon2id-wrapped key) or none")(
            "kdf", po::value<std::string>()->value_name("STRENGTH"),
            "Argon2id cost: interactive, moderate (default) or sensitive; minimum is for tests only")(
            "max-chain", po::value<uint32_t>()->value_name("N"),
            "default longest delta chain before a full copy is stored (default 32)")(
            "compression-level", po::value<int>()->value_name("L"), "zstd level, -7..22 (default 3)")(
            "pack-size", po::value<uint32_t>()->value_name("MIB"),
            "size at which a pack file is sealed, in MiB, 1..4096 (default 64)")(
            "frame-size", po::value<uint32_t>()->value_name("KIB"),
            "content frame size in KiB, a power of two 4..1024 (default 128): the least a read decodes")(
            "from", po::value<std::string>()->value_name("SRC"),
            "share SRC's keys and parameters, so that `strata sync` between the two copies objects as "
            "stored (the new store gets its own password)")(
            "from-password-file", po::value<std::string>()->value_name("F"),
            "with --from: read SRC's password from F (default: $STRATA_FROM_PASSWORD_FILE, "
            "$STRATA_FROM_PASSWORD, or ask on the terminal)");
      },
      [](const po::variables_map& vm) {
        InitOptions options;
        if (vm.count("from") != 0) return InitFrom(vm);
        if (vm.count("from-password-file") != 0) throw UsageError("--from-password-file needs --from");
        if (vm.count("max-chain") != 0) options.max_chain = vm["max-chain"].as<uint32_t>();
        if (vm.count("compression-level") != 0) options.compression_level = vm["compression-level"].as<int>();
        if (options.max_chain < 1 || options.max_chain > 1000)
          throw UsageError("--max-chain must be 1..1000");
        if (options.compression_level < -7 || options.compression_level > 22)
          throw UsageError("--compression-level must be -7..22");
        if (vm.count("pack-size") != 0) {
          options.pack_size_mib = vm["pack-size"].as<uint32_t>();
          if (options.pack_size_mib < 1 || options.pack_size_mib > 4096)
            throw UsageError("--pack-size must be 1..4096");
        }
        if (vm.count("frame-size") != 0) {
          options.frame_size_kib = vm["frame-size"].as<uint32_t>();
          if (options.frame_size_kib < 4 || options.frame_size_kib > 1024 ||
              !std::has_single_bit(options.frame_size_kib))
            throw UsageError("--frame-size must be a power of two, 4..1024");
        }
        const std::string mode =
            vm.count("encryption") != 0 ? vm["encryption"].as<std::string>() : "xchacha20";
        if (mode != "xchacha20" && mode != "none") throw UsageError("--encryption must be xchacha20 or none");
        options.encrypted = mode != "none";
        if (vm.count("kdf") != 0) {
          if (!options.encrypted) throw UsageError("--kdf needs an encrypted store");
          auto parsed = ParseKeyStrength(vm["kdf"].as<std::string>());
          if (!parsed.ok()) throw UsageError("--kdf: " + parsed.status().message());
          options.key_strength = *parsed;
        }
        const std::string path = StorePath(vm);
        if (options.encrypted) options.password = NewStorePassword(vm);
        return Create(vm, path, options);
      }};
  return command;
}

}  // namespace strata::cli
