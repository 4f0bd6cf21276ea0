#include <cstdlib>
#include <iostream>

#include "src/cli/cli.h"
#include "src/version.h"

namespace strata::cli {
namespace {

const std::vector<const Command*>& Commands() {
  static const std::vector<const Command*> commands = {
      &InitCommand(),  &BackupCommand(),  &SnapshotsCommand(), &LsCommand(),
      &CatCommand(),   &RestoreCommand(), &MountCommand(),     &UmountCommand(),
      &CheckCommand(), &UnlockCommand(),  &KeyCommand()};
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
         "could not be read. See strata(1).\n";
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

}  // namespace
}  // namespace strata::cli

int main(int argc, char** argv) {
  using namespace strata::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  // A global -s/--store before the command is accepted too: `strata -s STORE ls latest`.
  std::vector<std::string> global_store;
  while (args.size() >= 2 && (args[0] == "-s" || args[0] == "--store")) {
    global_store = {args[0], args[1]};
    args.erase(args.begin(), args.begin() + 2);
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
  rest.insert(rest.begin(), global_store.begin(), global_store.end());
  return RunCommand(*c, rest);
}
