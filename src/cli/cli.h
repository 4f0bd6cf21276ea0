// The CLI is option parsing and printing only; behaviour lives in src/ and store/.
//
// Every command is one file cmd_<name>.cc defining a Command, listed in main.cc's table, from which
// `strata help` and `strata CMD --help` are generated.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "src/cli/cli_log.h"
#include "store/store.h"
#include "strata/repository.h"

namespace strata::cli {

namespace po = boost::program_options;

// Exit codes, documented in strata(1).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitPartial = 3;

struct Command {
  const char* name;
  const char* usage;    // e.g. "backup -s STORE PATH... [options]"
  const char* summary;  // one line
  std::function<void(po::options_description&, po::positional_options_description&)> define;
  std::function<int(const po::variables_map&)> run;
};

const Command& InitCommand();
const Command& BackupCommand();
const Command& SnapshotsCommand();
const Command& LsCommand();
const Command& CatCommand();
const Command& RestoreCommand();
const Command& MountCommand();
const Command& UmountCommand();
const Command& CheckCommand();
const Command& UnlockCommand();
const Command& KeyCommand();
const Command& DiffCommand();
const Command& LogCommand();
const Command& ExportTarCommand();
const Command& ForgetCommand();
const Command& PruneCommand();
const Command& CoalesceCommand();
const Command& SyncCommand();
const Command& ReceiveCommand();

// The options of every command: -v/--verbose (repeatable), -q/--quiet, --json and --log-file F (unless
// the command has its own, as mount has).
void AddGlobalOptions(po::options_description& desc);
// The command's log, made from the global options; prints the error and returns null if the log file
// cannot be opened.
std::unique_ptr<CliLog> MakeLog(const po::variables_map& vm);
// --json was given.
bool JsonOutput(const po::variables_map& vm);
// Opens the store named by -s or STRATA_STORE through the library, which logs to `log`; prints the error
// and returns null on failure.
std::unique_ptr<Repository> OpenRepository(const po::variables_map& vm, CliLog* log);

// Adds -s/--store (also taken from STRATA_STORE) and --password-file.
void AddStoreOption(po::options_description& desc);
// The password of an encrypted store: --password-file, STRATA_PASSWORD_FILE, STRATA_PASSWORD or the
// terminal (src/password.h). Asked only when the store turns out to be encrypted.
PasswordSource StorePassword(const po::variables_map& vm);
// A password source in the form the library asks for.
PasswordCallback AsCallback(PasswordSource source);
// Opens the store named by -s or STRATA_STORE; prints the error and returns null on failure.
std::unique_ptr<Store> OpenStore(const po::variables_map& vm);
std::string StorePath(const po::variables_map& vm);

// Prints "strata: MESSAGE" on stderr, one line (newlines in MESSAGE are escaped).
void PrintError(const std::string& message);
int ErrorExit(const Status& status);
// Usage errors raised by commands after parsing (exit 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Printable form of a name: control characters, backslashes and invalid UTF-8 escaped as GNU tar does.
std::string Escape(std::string_view name);
std::string HumanBytes(uint64_t bytes);
// "512M", "2G", "1048576": a byte count with an optional K, M, G or T suffix (powers of 1024, any case).
// Throws UsageError naming `option` on anything else, or on overflow.
uint64_t ParseSize(const std::string& option, const std::string& text);
// "0" to "4294967295". Throws UsageError naming `option` on anything else (program_options would read "-1"
// into an unsigned as 4294967295).
uint32_t ParseCount(const std::string& option, const std::string& text);

}  // namespace strata::cli
