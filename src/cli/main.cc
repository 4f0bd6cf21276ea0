#include <cstdlib>
#include <iostream>

#include "src/cli/cli.h"
#include "src/version.h"

namespace strata::cli {
namespace {

const std::vector<const Command*>& Commands() {
  static const std::vector<const Command*> commands = {
      &InitCommand(),    &BackupCommand(),   &SnapshotsCommand(), &LsCommand(),        &CatCommand(),
      &RestoreCommand(), &MountCommand(),    &UmountCommand(),    &CheckCommand(),     &UnlockCommand(),
      &KeyCommand(),     &DiffCommand(),     &LogCommand(),       &ExportTarCommand(), &ForgetCommand(),
      &PruneCommand(),   &CoalesceCommand(), &SyncCommand(),      &ReceiveCommand()};
  return commands;
}

const Command* FindCommand(std::string_view name) {
  for (const Command* c : Commands()) {
    if (name == c->name) return c;
  }
  return nullptr;
}

void PrintOverview(std::ostream& out) {
  out << "strata " << Version() << ": backups you can browse\n\n"
      << "usage: strata COMMAND [options]\n\ncommands:\n";
  for (const Command* c : Commands()) {
    std::string name = c->name;
    out << "  " << name << std::string(12 - name.size(), ' ') << c->summary << "\n";
  }
  out << "\nThe store comes from -s/--store or STRATA_STORE. `strata help COMMAND` or `strata COMMAND "
         "--help`\n"
         "shows a command's options. Exit codes: 0 ok, 1 error, 2 usage, 3 backup made but some files\n"
         "could not be read. Every command takes -v (notes; -vv debugging) or -q (errors only), --json\n"
         "(JSON lines ending in a summary) and --log-file F (append every log record to F). See strata(1).\n";
}

void PrintCommandHelp(const Command& c, std::ostream& out) {
  po::options_description desc("options");
  po::positional_options_description pos;
  c.define(desc, pos);
  AddGlobalOptions(desc);
  out << "usage: strata " << c.usage << "\n\n" << c.summary << "\n\n" << desc;
}

int RunCommand(const Command& c, const std::vector<std::string>& args) {
  po::options_description desc("options");
  desc.add_options()("help,h", "show this help");
  po::positional_options_description pos;
  c.define(desc, pos);
  AddGlobalOptions(desc);
  po::variables_map vm;
  try {
    // No prefix guessing: a new option must never change the meaning of an old command line.
    auto style = po::command_line_style::unix_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(args).options(desc).positional(pos).style(style).run(), vm);
    if (vm.count("help") != 0) {
      PrintCommandHelp(c, std::cout);
      return kExitOk;
    }
    po::notify(vm);
    return c.run(vm);
  } catch (const UsageError& e) {
    PrintError(std::string(c.name) + ": " + e.what());
    return kExitUsage;
  } catch (const po::error& e) {
    PrintError(std::string(c.name) + ": " + e.what() + " (see 'strata help " + c.name + "')");
    return kExitUsage;
  }
}

// How many arguments a global option at the front takes up (0: not one): -s/--store and --log-file with
// their value, -v (-vv, ...), -q and --json alone.
size_t TakesGlobalOption(const std::string& arg, bool has_value) {
  if (arg == "-s" || arg == "--store" || arg == "--log-file") return has_value ? 2 : 0;
  if (arg == "-q" || arg == "--quiet" || arg == "--json" || arg == "--verbose") return 1;
  return arg.size() >= 2 && arg[0] == '-' && arg.find_first_not_of('v', 1) == std::string::npos ? 1 : 0;
}

}  // namespace
}  // namespace strata::cli

int main(int argc, char** argv) {
  using namespace strata::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  // The store and the output options are accepted before the command too: `strata -s STORE -v ls latest`.
  std::vector<std::string> global_options;
  for (;;) {
    const size_t n = args.empty() ? 0 : TakesGlobalOption(args[0], args.size() > 1);
    if (n == 0) break;
    global_options.insert(global_options.end(), args.begin(), args.begin() + static_cast<std::ptrdiff_t>(n));
    args.erase(args.begin(), args.begin() + static_cast<std::ptrdiff_t>(n));
  }
  if (args.empty()) {
    PrintOverview(std::cerr);
    return kExitUsage;
  }
  const std::string& first = args[0];
  if (first == "--help" || first == "-h" || (first == "help" && args.size() == 1)) {
    PrintOverview(std::cout);
    return kExitOk;
  }
  if (first == "--version") {
    std::cout << "strata " << strata::Version() << "\n";
    return kExitOk;
  }
  if (first == "help") {
    const Command* c = FindCommand(args[1]);
    if (c == nullptr) {
      PrintError("unknown command '" + args[1] + "' (see 'strata help')");
      return kExitUsage;
    }
    PrintCommandHelp(*c, std::cout);
    return kExitOk;
  }
  const Command* c = FindCommand(first);
  if (c == nullptr) {
    PrintError("unknown command '" + first + "' (see 'strata help')");
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  rest.insert(rest.begin(), global_options.begin(), global_options.end());
  return RunCommand(*c, rest);
}
