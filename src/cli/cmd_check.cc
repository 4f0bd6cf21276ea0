#include <unistd.h>

#include <chrono>
#include <iostream>

#include "src/check.h"
#include "src/cli/cli.h"
#include "src/cli/json.h"

namespace strata::cli {
namespace {

// On a terminal, one line rewritten in place a few times a second; otherwise (a log, a pipe) a plain line
// every 10 seconds.
class ProgressLine {
 public:
  ProgressLine() : tty_(isatty(STDERR_FILENO) != 0) {}
  ~ProgressLine() {
    if (shown_) std::cerr << "\r\033[K" << std::flush;
  }
  void Update(const CheckProgress& p) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < (tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(10000))) return;
    last_ = now;
    std::string line = "check: " + std::to_string(p.snapshots_done) + "/" +
                       std::to_string(p.snapshots_total) + " snapshots, " + std::to_string(p.objects) +
                       " objects, " + HumanBytes(p.bytes_read) + " of content read";
    if (tty_) {
      std::cerr << "\r\033[K" << line << std::flush;
      shown_ = true;
    } else {
      std::cerr << "strata: " << line << std::endl;
    }
  }

 private:
  bool tty_;
  bool shown_ = false;
  // The first line waits a full interval: short checks print none.
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

std::string DamageJson(const CheckProblem& p) {
  std::string deps = "[";
  for (size_t i = 0; i < p.dependents.size(); i++) {
    const CheckDependent& d = p.dependents[i];
    JsonObject o;
    o.Add("snapshot", d.snapshot).Add("snapshot_id", d.snapshot_id.Hex()).Add("path", d.path);
    deps += (i ? "," : "") + o.str();
  }
  JsonObject o;
  o.Add("type", "damage").Add("object", p.object).Add("kind", p.kind).Add("message", p.message);
  o.AddRaw("dependents", deps + "]").Add("more_dependents", p.more_dependents);
  return o.str();
}

std::string DamagedObjects(size_t n) {
  return std::to_string(n) + (n == 1 ? " damaged object" : " damaged objects");
}

void PrintDamage(const CheckProblem& p) {
  std::cout << "damaged " << p.kind << (p.object.empty() ? "" : " " + p.object) << ": " << Escape(p.message)
            << "\n";
  for (const CheckDependent& d : p.dependents)
    std::cout << "  needed by " << d.snapshot << ": " << Escape(d.path) << "\n";
  if (p.more_dependents != 0) std::cout << "  ... and " << p.more_dependents << " more\n";
}

}  // namespace

const Command& CheckCommand() {
  static const Command command{
      "check", "check -s STORE [--read-data] [--json]", "verify that every snapshot can be read back",
      [](po::options_description& d, po::positional_options_description&) {
        AddStoreOption(d);
        d.add_options()("read-data", po::bool_switch(),
                        "also rebuild every file version and verify every frame and content hash")(
            "json", po::bool_switch(), "print JSON lines: one per damaged object, then a summary");
      },
      [](const po::variables_map& vm) {
        auto store = OpenStore(vm);
        if (!store) return kExitError;
        const bool json = vm["json"].as<bool>();
        ProgressLine progress;
        CheckOptions options;
        options.read_data = vm["read-data"].as<bool>();
        options.on_progress = [&progress](const CheckProgress& p) { progress.Update(p); };
        options.on_note = [](const std::string& n) { std::cerr << "strata: note: " << n << std::endl; };
        auto result = RunCheck(store.get(), options);
        if (!result.ok()) return ErrorExit(result.status());
        const CheckResult& r = *result;
        const uint64_t damaged = r.problems.size() + r.unlisted_problems;
        for (const CheckProblem& p : r.problems) {
          if (json) {
            std::cout << DamageJson(p) << "\n";
          } else {
            PrintDamage(p);
          }
        }
        if (json) {
          JsonObject o;
          o.Add("type", "summary").Add("read_data", options.read_data).Add("snapshots", r.snapshots);
          o.Add("index_files", r.index_files).Add("trees", r.trees).Add("versions", r.versions);
          o.Add("objects", r.objects).Add("bytes_read", r.bytes_read);
          o.Add("damaged", damaged).Add("unlisted", r.unlisted_problems);
          std::cout << o.str() << std::endl;
        } else {
          if (r.unlisted_problems != 0)
            std::cout << "... and " << DamagedObjects(r.unlisted_problems) << " more, not listed\n";
          std::cout << "checked " << r.snapshots << " snapshots, " << r.index_files << " index files, "
                    << r.trees << " trees, " << r.versions << " file versions, " << r.objects
                    << " data and signature objects"
                    << (options.read_data ? ", " + HumanBytes(r.bytes_read) + " of content rebuilt" : "")
                    << ": " << (damaged == 0 ? "no damage found" : DamagedObjects(damaged)) << std::endl;
        }
        if (damaged == 0) return kExitOk;
        PrintError("store " + store->path() + " is damaged: " + DamagedObjects(damaged) +
                   " (listed on standard output)");
        return kExitError;
      }};
  return command;
}

}  // namespace strata::cli
