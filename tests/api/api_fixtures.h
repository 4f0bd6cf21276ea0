// Fixtures of the public API's tests: source trees written with plain file calls, oracles that read them
// back with plain file calls (never through strata), and recording sinks and observers.
#pragma once

#include <gtest/gtest.h>
#include <strata/repository.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/testutil.h"

namespace strata::test {

// Regular files (paths relative to the tree's root) of a tree with nested directories, an empty file, a
// file of several frames and a symlink; `seed` varies the contents.
inline std::vector<std::string> MakeTree(const std::string& root, uint64_t seed) {
  namespace fs = std::filesystem;
  fs::create_directories(root + "/docs/deep/er");
  fs::create_directories(root + "/empty-dir");
  const std::vector<std::pair<std::string, size_t>> files = {
      {"readme.txt", 1000},      {"docs/a.bin", 300000}, {"docs/deep/b.bin", 70000},
      {"docs/deep/er/c.bin", 5}, {"big.bin", 3 << 20},   {"empty", 0}};
  std::vector<std::string> names;
  for (size_t i = 0; i < files.size(); i++) {
    WriteFile(root + "/" + files[i].first, RandomBytes(files[i].second, seed * 100 + i));
    names.push_back(files[i].first);
  }
  fs::create_symlink("docs/a.bin", root + "/link");
  return names;
}

// Every regular file under `root`, relative to it, sorted.
inline std::vector<std::string> RegularFiles(const std::string& root) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && !e.is_symlink()) out.push_back(e.path().lexically_relative(root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The sizes of those files, summed.
inline uint64_t TotalBytes(const std::string& root) {
  uint64_t total = 0;
  for (const std::string& file : RegularFiles(root)) total += std::filesystem::file_size(root + "/" + file);
  return total;
}

// The oracle of a restore: the same regular files with the same bytes, and the same symlinks.
inline void ExpectSameTree(const std::string& expected, const std::string& actual) {
  ASSERT_EQ(RegularFiles(expected), RegularFiles(actual)) << expected << " vs " << actual;
  for (const std::string& file : RegularFiles(expected)) {
    EXPECT_TRUE(ReadFile(expected + "/" + file) == ReadFile(actual + "/" + file)) << file << " differs";
  }
  for (const auto& e : std::filesystem::recursive_directory_iterator(expected)) {
    if (!e.is_symlink()) continue;
    const auto rel = e.path().lexically_relative(expected);
    EXPECT_EQ(std::filesystem::read_symlink(e.path()),
              std::filesystem::read_symlink(std::filesystem::path(actual) / rel))
        << rel;
  }
}

// Snapshot manifests on disk: the store's own listing, read without strata.
inline size_t ManifestFiles(const std::string& store) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(store + "/snapshots")) {
    if (e.path().extension() == ".snap") n++;
  }
  return n;
}

inline void InitPlain(const std::string& path) {
  InitOptions options;
  options.encrypted = false;
  Status s = Repository::Init(path, options);
  ASSERT_TRUE(s.ok()) << s.message();
}

inline std::unique_ptr<Repository> OpenRepo(const std::string& path, LogSink* log = nullptr) {
  OpenOptions options;
  options.path = path;
  options.log = log;
  auto repo = Repository::Open(options);
  EXPECT_TRUE(repo.ok()) << repo.status().message();
  return repo.ok() ? std::move(repo).value() : nullptr;
}

struct LogRecord {
  LogLevel level;
  std::string message;
  LogFields fields;
};

class RecordingSink : public LogSink {
 public:
  void Log(LogLevel level, std::string_view message, const LogFields& fields) override {
    // Calls must never overlap (log.h).
    if (busy_.exchange(true)) {
      ADD_FAILURE() << "overlapping LogSink calls";
      return;
    }
    records_.push_back(LogRecord{level, std::string(message), fields});
    busy_.store(false);
  }
  const std::vector<LogRecord>& records() const { return records_; }

 private:
  std::atomic<bool> busy_{false};
  std::vector<LogRecord> records_;
};

class RecordingObserver : public ProgressObserver {
 public:
  void OnProgress(const Progress& progress) override {
    if (busy_.exchange(true)) {
      ADD_FAILURE() << "overlapping ProgressObserver calls";
      return;
    }
    reports_.push_back(progress);
    times_.push_back(std::chrono::steady_clock::now());
    busy_.store(false);
  }
  const std::vector<Progress>& reports() const { return reports_; }

  // progress.h's promise: two reports of one phase are at least 100 ms apart (seen from here, less the time
  // a loaded machine may take between the relay's clock reading and this one: 50 ms are asked), and the
  // last is kDone.
  void ExpectThrottledAndDone() const {
    ASSERT_FALSE(reports_.empty());
    EXPECT_EQ(reports_.back().phase, ProgressPhase::kDone);
    for (size_t i = 1; i < reports_.size(); i++) {
      if (reports_[i].phase != reports_[i - 1].phase) continue;
      EXPECT_GE(times_[i] - times_[i - 1], std::chrono::milliseconds(50))
          << "reports " << i - 1 << " and " << i;
    }
  }

 private:
  std::atomic<bool> busy_{false};
  std::vector<Progress> reports_;
  std::vector<std::chrono::steady_clock::time_point> times_;
};

// A plain store at dir_/store holding one backup of a MakeTree(dir_/src, seed) tree, open as repo_.
class BackedUpTest : public ::testing::Test {
 protected:
  explicit BackedUpTest(uint64_t seed) : seed_(seed) {}
  void SetUp() override {
    MakeTree(dir_.Join("src"), seed_);
    InitPlain(dir_.Join("store"));
    repo_ = OpenRepo(dir_.Join("store"));
    ASSERT_TRUE(repo_);
    BackupRequest request;
    request.sources = {dir_.Join("src")};
    auto made = repo_->Backup(request);
    ASSERT_TRUE(made.ok()) << made.status().message();
  }

  TempDir dir_;
  std::unique_ptr<Repository> repo_;

 private:
  uint64_t seed_;
};

}  // namespace strata::test
