#include <iostream>

#include "src/cli/cli.h"
#include "src/cli/json.h"
#include "src/password.h"

namespace strata::cli {

const Command& KeyCommand() {
  static const Command command{
      "key", "key passwd -s STORE [--password-file F] [--new-password-file F] [--kdf STRENGTH]",
      "change the password of an encrypted store (only its header changes, atomically)",
      [](po::options_description& d, po::positional_options_description& p) {
        AddStoreOption(d);
        d.add_options()("new-password-file", po::value<std::string>()->value_name("F"),
                        "read the new password from F (default: $STRATA_NEW_PASSWORD_FILE, "
                        "$STRATA_NEW_PASSWORD, or ask twice on the terminal)")(
            "kdf", po::value<std::string>()->value_name("STRENGTH"),
            "Argon2id cost of the new wrap: interactive, moderate (default) or sensitive")(
            "action", po::value<std::string>(), "");
        p.add("action", 1);
      },
      [](const po::variables_map& vm) {
        if (vm.count("action") == 0) throw UsageError("no action given (the only one is passwd)");
        if (vm["action"].as<std::string>() != "passwd")
          throw UsageError("unknown action '" + vm["action"].as<std::string>() +
                           "' (the only one is passwd)");
        KeyStrength strength = KeyStrength::kModerate;
        if (vm.count("kdf") != 0) {
          auto parsed = ParseKeyStrength(vm["kdf"].as<std::string>());
          if (!parsed.ok()) throw UsageError("--kdf: " + parsed.status().message());
          strength = *parsed;
        }
        const std::string path = StorePath(vm);
        PasswordRequest request = NewPasswordRequest(
            vm.count("new-password-file") != 0 ? vm["new-password-file"].as<std::string>() : "");
        Status s =
            Repository::ChangePassword(path, AsCallback(StorePassword(vm)),
                                       AsCallback([request] { return ReadPassword(request); }), strength);
        if (!s.ok()) return ErrorExit(s);
        if (JsonOutput(vm)) {
          JsonObject o;
          o.Add("type", "summary").Add("store", path);
          std::cout << o.str() << "\n";
        } else {
          std::cout << "changed the password of store " << path << "\n";
        }
        return kExitOk;
      }};
  return command;
}

}  // namespace strata::cli
