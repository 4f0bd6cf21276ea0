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
#include "src/content_writer.h"
#include "store/delta_ops.h"
#include "store/hash.h"
#include "store/lock.h"
#include "store/signature_builder.h"
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

// A crafted delta on the newest version that claims another content hash: rebuilt for its FULL record, its
// content does not match, so it and the delta built on it are damaged and get no record; the real chain is
// coalesced all the same.
TEST_F(CoalesceTest, DamagedContentGetsNoRecordNorDoesWhatBuildsOnIt) {
  const std::string& content = contents_.back();
  auto pack = store_->NewPackWriter();
  const ObjectId empty = store_->DeriveId(format::ObjectType::kData, HashBytes(""));
  ASSERT_TRUE(pack->WriteObject(format::ObjectType::kData, empty, "", kMetadataFrameLog2).ok());
  const auto crafted = [&](const ObjectId& base, uint32_t depth, std::string_view claimed) {
    FileVersion v = Version(kVersions - 1);
    v.kind = FileVersion::Kind::kDelta;
    v.content_hash = HashBytes(claimed);
    v.payload = empty;
    v.base = base;
    v.depth = depth;
    v.literal_size = 0;
    v.ops.clear();
    EncodeOps({DeltaOp{DeltaOp::Kind::kCopy, 0, content.size()}}, &v.ops);
    const ObjectId id = store_->DeriveId(format::ObjectType::kVersion, v.content_hash);
    EXPECT_TRUE(pack->WriteObject(format::ObjectType::kVersion, id, v.Encode(), kMetadataFrameLog2).ok());
    return id;
  };
  const ObjectId bad = crafted(VersionId(kVersions - 1), kVersions, "not this content");
  const ObjectId above = crafted(bad, kVersions + 1, "nor this");
  Tree tree;
  for (const auto& [name, id] : {std::pair{"above", above}, std::pair{"bad", bad}}) {
    TreeEntry e;
    e.name = name;
    e.type = EntryType::kRegular;
    e.size = content.size();
    e.ref = id;
    tree.entries.push_back(e);
  }
  const std::string tree_bytes = tree.Encode();
  const ObjectId tree_id = store_->DeriveId(format::ObjectType::kTree, HashBytes(tree_bytes));
  ASSERT_TRUE(pack->WriteObject(format::ObjectType::kTree, tree_id, tree_bytes, kMetadataFrameLog2).ok());
  ASSERT_TRUE(pack->Flush().ok());
  ASSERT_TRUE(store_->CommitObjects(pack->TakeSealedEntries()).ok());
  Manifest m = snapshots_.back();
  m.time_ns++;
  m.root.ref = tree_id;
  ASSERT_TRUE(store_->CommitManifest(&m).ok());
  Open();

  auto result = Coalesce(CoalesceRequest{.max_chain = 3});
  ASSERT_TRUE(result.ok()) << result.status().message();
  ASSERT_EQ(result->damaged.size(), 2u);
  EXPECT_EQ(result->damaged[0].version, bad.Hex());
  EXPECT_NE(result->damaged[0].message.find("content hash mismatch"), std::string::npos)
      << result->damaged[0].message;
  EXPECT_EQ(result->damaged[1].version, above.Hex());
  EXPECT_EQ(result->made_full, 2u);
  EXPECT_EQ(result->redepthed, 6u);
  ExpectContentsIntact();
  EXPECT_EQ(store_->index().FindAll(bad).size(), 1u);
  EXPECT_EQ(store_->index().FindAll(above).size(), 1u);
  EXPECT_EQ(Version(kVersions - 1).depth, 3u);
}

}  // namespace
}  // namespace strata
