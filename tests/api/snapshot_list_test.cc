// A Repository keeps its snapshot list between calls and reads it again when the store's snapshot
// directory changes. The oracle is the manifest files themselves, changed by hand: a manifest garbled in
// place (same name) is not read again while the listing stays the same; a manifest added by another
// Repository's backup or removed by hand is seen at the next call.
#include <fstream>

#include "tests/api/api_fixtures.h"

namespace strata::test {
namespace {

std::vector<std::string> Ids(Repository& repo) {
  auto list = repo.ListSnapshots();
  EXPECT_TRUE(list.ok()) << list.status().message();
  std::vector<std::string> ids;
  if (list.ok()) {
    for (const Snapshot& s : *list) ids.push_back(s.id);
  }
  return ids;
}

std::string ManifestOf(const std::string& store, const std::string& id) {
  return store + "/snapshots/" + id + ".snap";
}

TEST(SnapshotListTest, ReadAgainOnlyWhenTheSnapshotDirectoryChanges) {
  TempDir dir;
  MakeTree(dir.Join("src"), 1);
  const std::string store = dir.Join("store");
  InitPlain(store);
  RecordingSink sink;
  auto reader = OpenRepo(store, &sink);
  auto writer = OpenRepo(store);
  ASSERT_TRUE(reader && writer);
  BackupRequest request;
  request.sources = {dir.Join("src")};
  auto first = writer->Backup(request);
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = writer->Backup(request);
  ASSERT_TRUE(second.ok()) << second.status().message();
  ASSERT_EQ(Ids(*reader), (std::vector<std::string>{first->snapshot_id, second->snapshot_id}));

  // Garbled in place: the names are the same, so the list is not read again and browsing still works.
  const std::string garbled = ManifestOf(store, first->snapshot_id);
  const std::string original = ReadFile(garbled);
  WriteFile(garbled, std::string(original.size(), 'x'));
  EXPECT_EQ(Ids(*reader), (std::vector<std::string>{first->snapshot_id, second->snapshot_id}));
  EXPECT_TRUE(reader->Stat(first->snapshot_id, "readme.txt").ok());
  EXPECT_TRUE(sink.records().empty());

  // A backup by another Repository adds a name: the list is read again, without the garbled manifest.
  auto third = writer->Backup(request);
  ASSERT_TRUE(third.ok()) << third.status().message();
  EXPECT_EQ(Ids(*reader), (std::vector<std::string>{second->snapshot_id, third->snapshot_id}));
  ASSERT_EQ(sink.records().size(), 1u);
  EXPECT_EQ(sink.records()[0].level, LogLevel::kWarning);
  EXPECT_NE(sink.records()[0].message.find(first->snapshot_id), std::string::npos)
      << sink.records()[0].message;
  EXPECT_TRUE(reader->Stat(first->snapshot_id, "readme.txt").status().IsNotFound());
  EXPECT_TRUE(reader->Stat("latest", "readme.txt").ok());

  // A manifest removed by hand: gone at the next call, and "latest" follows.
  std::filesystem::remove(ManifestOf(store, third->snapshot_id));
  std::filesystem::remove(garbled);
  EXPECT_EQ(Ids(*reader), (std::vector<std::string>{second->snapshot_id}));
  auto latest = reader->ListDir("latest", "");
  ASSERT_TRUE(latest.ok()) << latest.status().message();
  EXPECT_EQ(ManifestFiles(store), 1u);
}

}  // namespace
}  // namespace strata::test
