#include <cctype>
#include <charconv>
#include <cstdlib>
#include <iostream>

#include "src/cli/cli.h"
#include "src/password.h"

namespace strata::cli {

namespace {

// -v given N times counts N (-vv too): a flag whose every occurrence adds one.
class Counter : public po::typed_value<int> {
 public:
  Counter() : po::typed_value<int>(nullptr) {
    zero_tokens();
    default_value(0, "");
  }
  bool is_composing() const override { return true; }
  void xparse(boost::any& store, const std::vector<std::string>& /*tokens*/) const override {
    store = store.empty() ? 1 : boost::any_cast<int>(store) + 1;
  }
};

}  // namespace

void AddGlobalOptions(po::options_description& desc) {
  desc.add_options()("verbose,v", new Counter, "say more: -v notes, -vv debugging (default: warnings)")(
      "quiet,q", po::bool_switch(), "say only errors")(
      "json", po::bool_switch(), "print JSON lines: events, log records, a summary (see strata(1))");
  if (desc.find_nothrow("log-file", false) == nullptr) {
    desc.add_options()("log-file", po::value<std::string>()->value_name("F"),
                       "also append every log record, with its time, to F");
  }
}

std::unique_ptr<CliLog> MakeLog(const po::variables_map& vm) {
  LogOptions options;
  const int verbose = vm.count("verbose") != 0 ? vm["verbose"].as<int>() : 0;
  if (vm.count("quiet") != 0 && vm["quiet"].as<bool>()) {
    if (verbose != 0) throw UsageError("-q and -v exclude each other");
    options.level = LogLevel::kError;
  } else if (verbose != 0) {
    options.level = verbose == 1 ? LogLevel::kInfo : LogLevel::kDebug;
  }
  options.json = JsonOutput(vm);
  if (vm.count("log-file") != 0) {
    options.file = vm["log-file"].as<std::string>();
    if (options.file.empty()) throw UsageError("--log-file: empty path");
  }
  auto log = std::make_unique<CliLog>(std::move(options));
  Status s = log->Open();
  if (!s.ok()) {
    PrintError(s.message());
    return nullptr;
  }
  return log;
}

bool JsonOutput(const po::variables_map& vm) { return vm.count("json") != 0 && vm["json"].as<bool>(); }

PasswordCallback AsCallback(PasswordSource source) {
  // The library keeps the password in guarded memory and wipes this copy at once.
  return [source = std::move(source)]() -> Result<std::string> {
    auto secret = source();
    if (!secret.ok()) return secret.status();
    return std::string(reinterpret_cast<const char*>(secret->data()), secret->size());
  };
}

std::unique_ptr<Repository> OpenRepository(const po::variables_map& vm, CliLog* log) {
  OpenOptions options;
  options.path = StorePath(vm);
  options.log = log;
  options.password = AsCallback(StorePassword(vm));
  auto repo = Repository::Open(options);
  if (!repo.ok()) {
    PrintError(repo.status().message());
    return nullptr;
  }
  return std::move(repo).value();
}

void AddStoreOption(po::options_description& desc) {
  desc.add_options()("store,s", po::value<std::string>()->value_name("STORE"),
                     "store directory (default: $STRATA_STORE)")(
      "password-file", po::value<std::string>()->value_name("F"),
      "read the password of an encrypted store from F (default: $STRATA_PASSWORD_FILE, $STRATA_PASSWORD, "
      "or ask on the terminal)");
}

PasswordSource StorePassword(const po::variables_map& vm) {
  PasswordRequest request;
  if (vm.count("password-file") != 0) {
    request.file = vm["password-file"].as<std::string>();
    if (request.file.empty()) throw UsageError("--password-file: empty path");
  }
  return [request] { return ReadPassword(request); };
}

std::string StorePath(const po::variables_map& vm) {
  if (vm.count("store") != 0) return vm["store"].as<std::string>();
  const char* env =
      std::getenv("STRATA_STORE");  // NOLINT(concurrency-mt-unsafe): nothing sets the environment
  if (env != nullptr && *env != '\0') return env;
  throw UsageError("no store given (use -s STORE or set STRATA_STORE)");
}

std::unique_ptr<Store> OpenStore(const po::variables_map& vm) {
  auto store = Store::Open(Env::Default(), StorePath(vm), StorePassword(vm));
  if (!store.ok()) {
    PrintError(store.status().message());
    return nullptr;
  }
  return std::move(store).value();
}

void PrintError(const std::string& message) {
  std::string line;
  for (char c : message) {
    if (c == '\n') {
      line += "\\n";
    } else {
      line += c;
    }
  }
  std::cerr << "strata: " << line << std::endl;
}

int ErrorExit(const Status& status) {
  PrintError(status.message());
  return status.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitError;
}

std::string Escape(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f || c >= 0x80) {
      // Bytes >= 0x80 are kept when they form valid UTF-8 in a UTF-8 locale; plain octal keeps the output
      // unambiguous and byte-exact in every locale.
      char buf[8];
      snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string HumanBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 5) {
    v /= 1024;
    u++;
  }
  char buf[32];
  if (u == 0) {
    snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  }
  return buf;
}

uint32_t ParseCount(const std::string& option, const std::string& text) {
  uint32_t n = 0;
  const char* end = text.data() + text.size();
  auto [stop, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || stop != end) {
    throw UsageError("--" + option + ": '" + text + "' is not a count (0 to 4294967295)");
  }
  return n;
}

uint64_t ParseSize(const std::string& option, const std::string& text) {
  const auto bad = [&] { return UsageError(option + ": '" + text + "' is not a size (e.g. 512M, 2G)"); };
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') digits++;
  if (digits == 0 || digits > 19 || text.size() - digits > 1) throw bad();
  uint64_t value = std::stoull(text.substr(0, digits));
  int shift = 0;
  if (digits < text.size()) {
    const std::string suffixes = "KMGT";
    size_t at = suffixes.find(static_cast<char>(std::toupper(static_cast<unsigned char>(text[digits]))));
    if (at == std::string::npos) throw bad();
    shift = 10 * (static_cast<int>(at) + 1);
  }
  if (value > (UINT64_MAX >> shift)) throw bad();
  return value << shift;
}

}  // namespace strata::cli
