// api_demo: drives strata through its library API (include/strata/, libstrata) the way a GUI front end
// would: a progress bar fed by a ProgressObserver, warnings collected by a LogSink, a snapshot picker fed by
// ListSnapshots, a file browser fed by ListDir, and a restore of the one file the user picked.
//
//   api_demo backup STORE DIR...                 back up, redrawing one progress line
//   api_demo snapshots STORE                     the snapshots, oldest first
//   api_demo ls STORE SNAPSHOT [PATH]            one directory of a snapshot
//   api_demo restore STORE SNAPSHOT PATH DEST    one file (or directory) of a snapshot into DEST
//
// The password of an encrypted store comes from STRATA_PASSWORD, where a GUI would show a dialog. Exit
// status: 0 ok, 1 error (one line on stderr), 2 usage.
#include <strata/repository.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

namespace {

// A GUI would add these to a warnings pane, per file.
class StderrLog : public strata::LogSink {
 public:
  void Log(strata::LogLevel level, std::string_view message, const strata::LogFields& fields) override {
    std::fprintf(stderr, "api_demo: %s: %.*s", strata::LogLevelName(level), static_cast<int>(message.size()),
                 message.data());
    if (!fields.path.empty()) std::fprintf(stderr, " [path %s]", fields.path.c_str());
    if (!fields.snapshot.empty()) std::fprintf(stderr, " [snapshot %s]", fields.snapshot.c_str());
    if (!fields.object.empty()) std::fprintf(stderr, " [object %s]", fields.object.c_str());
    std::fprintf(stderr, "\n");
  }
};

// A GUI would redraw a progress bar; this prints the line it would show.
class ProgressLine : public strata::ProgressObserver {
 public:
  void OnProgress(const strata::Progress& p) override {
    std::printf("progress: %s, %llu/%s files, %llu/%s bytes%s%s\n", strata::ProgressPhaseName(p.phase),
                static_cast<unsigned long long>(p.files_done), Total(p.files_total).c_str(),
                static_cast<unsigned long long>(p.bytes_done), Total(p.bytes_total).c_str(),
                p.current_path.empty() ? "" : ": ", p.current_path.c_str());
    std::fflush(stdout);
  }

 private:
  static std::string Total(uint64_t total) { return total == 0 ? "?" : std::to_string(total); }
};

int Fail(const strata::Status& status) {
  std::fprintf(stderr, "api_demo: %s\n", status.message().c_str());
  return 1;
}

char TypeChar(strata::FileType type) {
  switch (type) {
    case strata::FileType::kRegular:
      return '-';
    case strata::FileType::kDirectory:
      return 'd';
    case strata::FileType::kSymlink:
      return 'l';
    case strata::FileType::kFifo:
      return 'p';
    case strata::FileType::kCharDevice:
      return 'c';
    case strata::FileType::kBlockDevice:
      return 'b';
  }
  return '?';
}

int Backup(strata::Repository& repo, const std::vector<std::string>& sources) {
  strata::BackupRequest request;
  request.sources = sources;
  request.label = "api_demo";
  ProgressLine progress;
  // A GUI's Cancel button would call cancel.Cancel() from its own thread.
  strata::CancelToken cancel;
  auto summary = repo.Backup(request, &progress, &cancel);
  if (!summary.ok()) return Fail(summary.status());
  std::printf(
      "snapshot %s %s: %llu new, %llu changed, %llu unchanged, %llu errors; read %llu bytes, stored %llu\n",
      summary->snapshot_id.c_str(), summary->snapshot_name.c_str(),
      static_cast<unsigned long long>(summary->files_new),
      static_cast<unsigned long long>(summary->files_changed),
      static_cast<unsigned long long>(summary->files_unchanged),
      static_cast<unsigned long long>(summary->errors), static_cast<unsigned long long>(summary->bytes_read),
      static_cast<unsigned long long>(summary->bytes_stored));
  return 0;
}

int Snapshots(strata::Repository& repo) {
  auto list = repo.ListSnapshots();
  if (!list.ok()) return Fail(list.status());
  for (const strata::Snapshot& s : *list) {
    std::printf("%s %s %llu files %llu bytes %s\n", s.id.c_str(), s.name.c_str(),
                static_cast<unsigned long long>(s.files), static_cast<unsigned long long>(s.bytes),
                s.label.c_str());
  }
  return 0;
}

int List(strata::Repository& repo, const std::string& snapshot, const std::string& path) {
  auto entries = repo.ListDir(snapshot, path);
  if (!entries.ok()) return Fail(entries.status());
  for (const strata::Entry& e : *entries) {
    std::printf("%c %04o %llu %s\n", TypeChar(e.type), e.mode, static_cast<unsigned long long>(e.size),
                e.name.c_str());
  }
  return 0;
}

int Restore(strata::Repository& repo, const std::string& snapshot, const std::string& path,
            const std::string& dest) {
  ProgressLine progress;
  auto summary = repo.Restore(snapshot, path, dest, strata::RestoreRequest{}, &progress);
  if (!summary.ok()) return Fail(summary.status());
  std::printf("restored %llu files (%llu bytes) into %s, %llu errors\n",
              static_cast<unsigned long long>(summary->files),
              static_cast<unsigned long long>(summary->bytes), dest.c_str(),
              static_cast<unsigned long long>(summary->errors));
  return summary->errors == 0 ? 0 : 1;
}

int Usage() {
  std::fprintf(stderr,
               "usage: api_demo backup STORE DIR... | snapshots STORE | ls STORE SNAPSHOT [PATH] | "
               "restore STORE SNAPSHOT PATH DEST\n");
  return 2;
}

int Run(const std::vector<std::string>& args) {
  const std::string command = args.empty() ? "" : args[0];
  const bool usage_ok = (command == "backup" && args.size() >= 3) ||
                        (command == "snapshots" && args.size() == 2) ||
                        (command == "ls" && (args.size() == 3 || args.size() == 4)) ||
                        (command == "restore" && args.size() == 5);
  if (!usage_ok) return Usage();

  StderrLog log;
  strata::OpenOptions options;
  options.path = args[1];
  options.log = &log;
  options.password = []() -> strata::Result<std::string> {
    const char* password = std::getenv("STRATA_PASSWORD");  // NOLINT(concurrency-mt-unsafe): read only
    if (password == nullptr) {
      return strata::Status::FailedPrecondition("the store is encrypted: set STRATA_PASSWORD");
    }
    return std::string(password);
  };
  auto repo = strata::Repository::Open(options);
  if (!repo.ok()) return Fail(repo.status());
  strata::Repository& r = **repo;
  if (command == "backup") return Backup(r, std::vector<std::string>(args.begin() + 2, args.end()));
  if (command == "snapshots") return Snapshots(r);
  if (command == "ls") return List(r, args[2], args.size() == 4 ? args[3] : "");
  return Restore(r, args[2], args[3], args[4]);
}

}  // namespace

int main(int argc, char** argv) {
  // strata reports failures as values; what the demo's own containers may throw (out of memory) ends it
  // with one line too.
  try {
    return Run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "api_demo: %s\n", e.what());
    return 1;
  }
}
