// Coalesce on a real store: one file backed up after each of a dozen small edits, so that its versions
// form one delta chain. The oracles are the file's contents as written (kept in the test), the store's
// index files as listed with plain file calls, and the lock.
#include "src/coalesce.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "src/backup.h"
#include "store/lock.h"
#include "tests/testutil.h"

namespace strata {
namespace {

namespace fs = std::filesystem;

constexpr int kVersions = 12;

class CoalesceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Store::Init(Env::Default(), store_path_, StoreParams{}).ok());
    Open();
    fs::create_directories(dir_.Join("src"));
    std::string content = test::RandomBytes(300000, 1);
    for (int i = 0; i < kVersions; i++) {
      const std::string edit = test::RandomBytes(100, 100 + i);
      content.replace(static_cast<size_t>(i) * 20000, edit.size(), edit);
      test::WriteFile(dir_.Join("src/file"), content);
      BackupOptions backup;
      backup.sources = {dir_.Join("src")};
      auto made = RunBackup(store_.get(), backup);
      ASSERT_TRUE(made.ok()) << made.status().message();
      snapshots_.push_back(made->manifest);
      contents_.push_back(content);
    }
    ASSERT_EQ(Version(kVersions - 1).depth, uint32_t{kVersions - 1}) << "the backups made no chain";
  }

  void Open() {
    auto opened = Store::Open(Env::Default(), store_path_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(opened).value();
  }

  ObjectId VersionId(int i) {
    auto entry = store_->Lookup(snapshots_[i], "file");
    EXPECT_TRUE(entry.ok()) << entry.status().message();
    return entry.ok() ? entry->ref : ObjectId{};
  }
  FileVersion Version(int i) {
    auto v = store_->LoadVersion(VersionId(i));
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? *v : FileVersion{};
  }

  // Every snapshot's file reads back as written, in a store opened afresh (as another process sees it).
  void ExpectContentsIntact() {
    Open();
    for (int i = 0; i < kVersions; i++) {
      std::string out;
      Status s = store_->ReadVersion(VersionId(i), 0, contents_[i].size() + 1, &out);
      ASSERT_TRUE(s.ok()) << "snapshot " << i << ": " << s.message();
      EXPECT_TRUE(out == contents_[i]) << "snapshot " << i << " reads back other content";
    }
  }

  size_t IndexFiles() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(store_path_ + "/index"), {}));
  }

  Result<CoalesceResult> Coalesce(CoalesceRequest request) {
    CoalesceOptions options;
    options.request = std::move(request);
    return RunCoalesce(store_.get(), options);
  }

  test::TempDir dir_;
  std::string store_path_ = dir_.Join("store");
  std::unique_ptr<Store> store_;
  std::vector<Manifest> snapshots_;
  std::vector<std::string> contents_;
};

TEST_F(CoalesceTest, MaxChainShortensEveryChainAndKeepsContent) {
  const size_t index_files = IndexFiles();
  auto result = Coalesce(CoalesceRequest{.max_chain = 3});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(result->damaged.empty());
  EXPECT_EQ(result->snapshots, uint64_t{kVersions});
  EXPECT_EQ(result->versions, uint64_t{kVersions});
  EXPECT_EQ(result->deepest_before, uint32_t{kVersions - 1});
  EXPECT_EQ(result->deepest_after, 3u);
  // Depths 0,1,2,3 | 4->0,1,2,3 | 8->0,1,2,3: versions 4 and 8 become FULL, the six above them move down.
  EXPECT_EQ(result->made_full, 2u);
  EXPECT_EQ(result->redepthed, 6u);
  EXPECT_EQ(IndexFiles(), index_files + 1);
  ExpectContentsIntact();
  for (int i = 0; i < kVersions; i++) {
    EXPECT_EQ(Version(i).depth, static_cast<uint32_t>(i % 4)) << "snapshot " << i;
    EXPECT_EQ(Version(i).kind == FileVersion::Kind::kFull, i % 4 == 0) << "snapshot " << i;
  }

  auto again = Coalesce(CoalesceRequest{.max_chain = 3});
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->made_full + again->redepthed, 0u);
  EXPECT_EQ(again->bytes_written, 0u);
  EXPECT_EQ(IndexFiles(), index_files + 1);
}

TEST_F(CoalesceTest, BeforeCutsTheChainAtThatSnapshot) {
  auto result = Coalesce(CoalesceRequest{.before = snapshots_[7].id.Hex()});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(result->damaged.empty());
  EXPECT_EQ(result->snapshots, uint64_t{kVersions - 7});
  EXPECT_EQ(result->made_full, 1u);
  EXPECT_EQ(result->redepthed, uint64_t{kVersions - 8});
  ExpectContentsIntact();
  EXPECT_EQ(Version(7).kind, FileVersion::Kind::kFull);
  for (int i = 7; i < kVersions; i++) EXPECT_EQ(Version(i).depth, static_cast<uint32_t>(i - 7));
  // The older snapshots keep their chains.
  EXPECT_EQ(Version(6).depth, 6u);
}

TEST_F(CoalesceTest, DryRunWritesNothing) {
  const size_t index_files = IndexFiles();
  auto result = Coalesce(CoalesceRequest{.max_chain = 5, .dry_run = true});
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result->made_full, 1u);  // version 6
  EXPECT_EQ(result->redepthed, 5u);
  EXPECT_EQ(result->bytes_written, 0u);
  EXPECT_EQ(IndexFiles(), index_files);
  EXPECT_EQ(Version(kVersions - 1).depth, uint32_t{kVersions - 1});
}

TEST_F(CoalesceTest, RefusesBadRequestsWithoutWriting) {
  const size_t index_files = IndexFiles();
  EXPECT_EQ(Coalesce(CoalesceRequest{}).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(Coalesce(CoalesceRequest{.before = "ffffffffffff"}).status().code(), Status::Code::kNotFound);
  {
    auto lock = StoreLock::Acquire(Env::Default(), store_path_, LockKind::kShared, "backup", {});
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    Status s = Coalesce(CoalesceRequest{.max_chain = 2}).status();
    EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition) << s.message();
  }
  EXPECT_EQ(IndexFiles(), index_files);
  EXPECT_EQ(Version(kVersions - 1).depth, uint32_t{kVersions - 1});
}

}  // namespace
}  // namespace strata
