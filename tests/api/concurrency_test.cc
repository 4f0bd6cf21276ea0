// Two jobs and two readers at once in one process: the library keeps no global state. Every result is
// checked against the source files, read with plain file calls.
#include <thread>

#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

TEST(ConcurrencyTest, BackupAndRestoreOfTwoStoresInParallelThreads) {
  TempDir dir;
  MakeTree(dir.Join("one"), 1);
  MakeTree(dir.Join("two"), 2);
  InitPlain(dir.Join("store1"));
  InitPlain(dir.Join("store2"));
  auto repo1 = OpenRepo(dir.Join("store1"));
  auto repo2 = OpenRepo(dir.Join("store2"));
  ASSERT_TRUE(repo1 && repo2);
  BackupRequest first;
  first.sources = {dir.Join("one")};
  auto made = repo1->Backup(first);
  ASSERT_TRUE(made.ok()) << made.status().message();

  // Restoring store1 while store2 takes its first backup, each with its own progress and cancel token.
  RecordingObserver restore_progress;
  RecordingObserver backup_progress;
  Result<RestoreSummary> restored = Status::Cancelled("not run");
  Result<BackupSummary> backed_up = Status::Cancelled("not run");
  std::thread restorer([&] {
    restored = repo1->Restore("latest", "", dir.Join("restored1"), RestoreRequest{}, &restore_progress);
  });
  std::thread backer([&] {
    BackupRequest second;
    second.sources = {dir.Join("two")};
    backed_up = repo2->Backup(second, &backup_progress);
  });
  restorer.join();
  backer.join();
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  ASSERT_TRUE(backed_up.ok()) << backed_up.status().message();
  ExpectSameTree(dir.Join("one"), dir.Join("restored1"));
  EXPECT_EQ(restored->files, RegularFiles(dir.Join("one")).size());
  EXPECT_EQ(backed_up->files_new, RegularFiles(dir.Join("two")).size());

  // What store2 holds is tree two, not a mix: restored afterwards and compared.
  auto restored2 = repo2->Restore(backed_up->snapshot_id, "", dir.Join("restored2"), RestoreRequest{});
  ASSERT_TRUE(restored2.ok()) << restored2.status().message();
  ExpectSameTree(dir.Join("two"), dir.Join("restored2"));

  // Each job's progress went to its own observer and ended with its own final counts.
  restore_progress.ExpectThrottledAndDone();
  backup_progress.ExpectThrottledAndDone();
  ASSERT_FALSE(restore_progress.reports().empty());
  ASSERT_FALSE(backup_progress.reports().empty());
  const Progress& restore_end = restore_progress.reports().back();
  const Progress& backup_end = backup_progress.reports().back();
  EXPECT_EQ(restore_end.files_done, RegularFiles(dir.Join("one")).size());
  EXPECT_EQ(restore_end.bytes_done, TotalBytes(dir.Join("one")));
  EXPECT_EQ(backup_end.files_done, RegularFiles(dir.Join("two")).size());
  EXPECT_EQ(backup_end.files_total, RegularFiles(dir.Join("two")).size());
  EXPECT_EQ(backup_end.bytes_total, TotalBytes(dir.Join("two")));
}

// Reads `file` of `snapshot` through the API in chunks of `chunk` bytes and compares it with the source.
void ExpectReadsBack(Repository* repo, const std::string& snapshot, const std::string& source,
                     const std::string& file, size_t chunk) {
  const std::string expected = ReadFile(source + "/" + file);
  auto reader = repo->OpenFile(snapshot, file);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  ASSERT_EQ((*reader)->size(), expected.size()) << file;
  std::string got;
  std::string part;
  for (uint64_t offset = 0;; offset += chunk) {
    Status s = (*reader)->Read(offset, chunk, &part);
    ASSERT_TRUE(s.ok()) << s.message();
    if (part.empty()) break;
    got += part;
  }
  EXPECT_TRUE(got == expected) << file << " read in chunks of " << chunk << " differs";
}

TEST(ConcurrencyTest, TwoReadersOfOneStoreAtOnce) {
  TempDir dir;
  const std::vector<std::string> files = MakeTree(dir.Join("src"), 3);
  InitPlain(dir.Join("store"));
  auto repo = OpenRepo(dir.Join("store"));
  ASSERT_TRUE(repo);
  BackupRequest request;
  request.sources = {dir.Join("src")};
  auto made = repo->Backup(request);
  ASSERT_TRUE(made.ok()) << made.status().message();
  // A second Repository of the same store, as a second window of a GUI would open.
  auto other = OpenRepo(dir.Join("store"));
  ASSERT_TRUE(other);

  const std::string src = dir.Join("src");
  const std::string id = made->snapshot_id;
  auto read_all = [&](Repository* r, size_t chunk) {
    for (int round = 0; round < 3; round++) {
      for (const std::string& f : files) ExpectReadsBack(r, id, src, f, chunk);
    }
  };
  // And a backup of another tree through the first Repository while they read: reads may go on during a job.
  MakeTree(dir.Join("more"), 9);
  Result<BackupSummary> second = Status::Cancelled("not run");
  std::thread a([&] { read_all(repo.get(), 65536); });
  std::thread b([&] { read_all(repo.get(), 100003); });
  std::thread c([&] { read_all(other.get(), 4096 * 7 + 1); });
  std::thread d([&] {
    BackupRequest more;
    more.sources = {dir.Join("more")};
    second = repo->Backup(more);
  });
  a.join();
  b.join();
  c.join();
  d.join();
  ASSERT_TRUE(second.ok()) << second.status().message();
  auto restored = other->Restore(second->snapshot_id, "", dir.Join("restored"), RestoreRequest{});
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  ExpectSameTree(dir.Join("more"), dir.Join("restored"));

  // A random read in the middle, against the source's bytes at that offset.
  const std::string big = ReadFile(src + "/big.bin");
  auto reader = other->OpenFile(id, "/big.bin");
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  std::string part;
  ASSERT_TRUE((*reader)->Read(1234567, 300000, &part).ok());
  EXPECT_TRUE(part == big.substr(1234567, 300000));
  ASSERT_TRUE((*reader)->Read(big.size() - 10, 100, &part).ok());
  EXPECT_TRUE(part == big.substr(big.size() - 10));
  ASSERT_TRUE((*reader)->Read(big.size() + 5, 100, &part).ok());
  EXPECT_TRUE(part.empty());
}

}  // namespace
}  // namespace strata::test
