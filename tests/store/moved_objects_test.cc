// A reader that holds the index files of before a prune: the prune copied its objects into a new pack,
// wrote a new index file, removed the old one and deleted the old pack. The reader's next read finds the
// old pack gone, maps the index files afresh and reads the objects from their new place, through frame
// tables it had cached for the old one too; a pack that is gone while the index files did not change
// stays an error.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "store/hash.h"
#include "store/store.h"
#include "tests/testutil.h"

namespace strata {
namespace {

using format::ObjectType;

class MovedObjectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Join("store");
    StoreParams params;
    params.data_frame_log2 = 12;  // 4 KiB frames: the content spans many
    params.pack_target_size = 1 << 20;
    ASSERT_TRUE(Store::Init(env_, path_, params).ok());
    writer_ = Open();
    data_id_ = DeriveObjectId(ObjectType::kData, HashBytes(content_));
    meta_id_ = DeriveObjectId(ObjectType::kSignature, HashBytes(meta_));
    // One pack each: a pack a reader has open stays readable after it is deleted, so only the one it has
    // not opened yet shows it gone.
    for (const auto& [type, id, bytes] : {std::tuple(ObjectType::kData, data_id_, content_),
                                          std::tuple(ObjectType::kSignature, meta_id_, meta_)}) {
      auto pack = writer_->NewPackWriter();
      ASSERT_TRUE(pack->WriteObject(type, id, bytes, 12).ok());
      ASSERT_TRUE(pack->Flush().ok());
      for (const IndexEntry& e : pack->TakeSealedEntries()) entries_.push_back(e);
    }
    ASSERT_NE(entries_[0].pack, entries_[1].pack);
    ASSERT_TRUE(writer_->CommitObjects(entries_).ok());
  }

  std::unique_ptr<Store> Open() {
    auto s = Store::Open(env_, path_);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  std::vector<std::string> IndexFiles() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path_ + "/index")) out.push_back(e.path());
    return out;
  }

  // What a prune does, step by step: copy verbatim into a new pack, index it, remove the old index file,
  // delete the old pack.
  void MoveEverything() {
    auto pack = writer_->NewPackWriter();
    for (const IndexEntry& e : entries_) {
      const std::string bytes = test::ReadFile(PackPath(path_, e.pack));
      ASSERT_TRUE(pack->BeginCopy(e).ok());
      ASSERT_TRUE(pack->AppendStored(bytes.substr(e.offset, e.stored_len)).ok());
      auto copied = pack->FinishCopy();
      ASSERT_TRUE(copied.ok()) << copied.status().message();
      EXPECT_NE(copied->pack, e.pack);
    }
    ASSERT_TRUE(pack->Flush().ok());
    const std::vector<std::string> old_index = IndexFiles();
    ASSERT_TRUE(ObjectIndex::Write(env_, path_, pack->TakeSealedEntries()).ok());
    for (const std::string& f : old_index) std::filesystem::remove(f);
    for (const IndexEntry& e : entries_) std::filesystem::remove(PackPath(path_, e.pack));
  }

  Env* env_ = Env::Default();
  test::TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> writer_;
  const std::string content_ = test::RandomBytes(50000, 7);
  const std::string meta_ = test::RandomBytes(3000, 8);
  ObjectId data_id_;
  ObjectId meta_id_;
  std::vector<IndexEntry> entries_;
};

TEST_F(MovedObjectsTest, AReaderFindsObjectsMovedByAPrune) {
  auto reader = Open();
  ASSERT_TRUE(reader);
  // Caches the frame table of the data object at its old place, and its first frames.
  std::string head;
  ASSERT_TRUE(reader->ReadPayload(data_id_, 0, 6000, &head).ok());
  ASSERT_EQ(head, content_.substr(0, 6000));

  MoveEverything();

  // Its pack was never opened: gone, found again through the new index file.
  auto meta = reader->ReadObject(meta_id_, ObjectType::kSignature);
  ASSERT_TRUE(meta.ok()) << meta.status().message();
  EXPECT_TRUE(*meta == meta_);
  // Now found at its new place, where the frame table cached for the old one does not apply.
  std::string out = "kept";
  Status s = reader->ReadPayload(data_id_, 0, content_.size(), &out);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(out == "kept" + content_) << "the read appends exactly the content, once";
}

TEST_F(MovedObjectsTest, AReadThatFailsMidwayIsRetriedWhole) {
  auto reader = Open();
  ASSERT_TRUE(reader);
  MoveEverything();
  // Neither pack was opened: the first frame already fails, the retry reads everything from the new pack.
  std::string out = "kept";
  Status s = reader->ReadPayload(data_id_, 100, content_.size() - 100, &out);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(out == "kept" + content_.substr(100));
}

TEST_F(MovedObjectsTest, AMissingPackWithoutANewIndexIsAnError) {
  auto reader = Open();
  ASSERT_TRUE(reader);
  for (const IndexEntry& e : entries_) std::filesystem::remove(PackPath(path_, e.pack));
  std::string out;
  Status s = reader->ReadPayload(data_id_, 0, content_.size(), &out);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.IsCorruption()) << s.message();
  EXPECT_NE(s.message().find("is missing"), std::string::npos) << s.message();
  EXPECT_FALSE(reader->ReadObject(meta_id_, ObjectType::kSignature).ok());
}

}  // namespace
}  // namespace strata
