#include "store/object_index.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "store/env.h"
#include "store/format.h"
#include "store/hash.h"
#include "tests/testutil.h"

namespace strata {
namespace {

uint32_t Le32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= static_cast<uint32_t>(static_cast<uint8_t>(s[at + i])) << (8 * i);
  return v;
}

IndexEntry MakeEntry(uint64_t n, uint8_t pack_byte) {
  IndexEntry e;
  e.id = HashBytes("object " + std::to_string(n));
  e.type = static_cast<format::ObjectType>(1 + n % 4);
  e.frame_log2 = static_cast<uint8_t>(12 + n % 9);
  for (size_t i = 0; i < e.salt.size(); i++) e.salt[i] = static_cast<uint8_t>(n + i);
  e.pack.fill(pack_byte);
  e.offset = 16 + 1000 * n;
  e.raw_size = 100 + n;
  e.stored_len = 50 + n;  // one frame
  return e;
}

std::string Encoded(const IndexEntry& e) {
  std::string s;
  e.EncodeTo(&s);
  return s;
}

class ObjectIndexTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_->CreateDir(dir_.Join("index")).ok()); }

  std::string WriteIndex(const std::vector<IndexEntry>& entries) {
    auto path = ObjectIndex::Write(env_, dir_.path(), entries);
    EXPECT_TRUE(path.ok()) << path.status().message();
    return path.ok() ? *path : "";
  }

  Env* env_ = Env::Default();
  test::TempDir dir_;
};

TEST_F(ObjectIndexTest, WriteProducesSortedDeduplicatedChecksummedFile) {
  std::vector<IndexEntry> entries;
  for (uint64_t n = 0; n < 6; n++) entries.push_back(MakeEntry(n, 0xaa));
  entries.push_back(entries[2]);  // duplicate id
  const std::string path = WriteIndex(entries);
  const std::string file = test::ReadFile(path);

  ASSERT_EQ(file.size(), 16 + 6 * 96 + 32u);
  EXPECT_EQ(file.substr(0, 8), "\x89STRIDX\n");
  EXPECT_EQ(Le32(file, 8), 1u);
  EXPECT_EQ(Le32(file, 12), 6u);
  std::vector<IndexEntry> sorted(entries.begin(), entries.begin() + 6);
  std::sort(sorted.begin(), sorted.end(),
            [](const IndexEntry& a, const IndexEntry& b) { return a.id < b.id; });
  for (size_t i = 0; i < 6; i++) EXPECT_EQ(file.substr(16 + 96 * i, 96), Encoded(sorted[i])) << i;
  const std::string checksum = test::Blake2b256(std::string_view(file).substr(0, file.size() - 32));
  EXPECT_EQ(file.substr(file.size() - 32), checksum);
  // Named by its checksum.
  EXPECT_EQ(path, dir_.path() + "/index/" + HexEncode(checksum) + ".idx");
  EXPECT_TRUE(ObjectIndex::Verify(file, "f").ok());
}

TEST_F(ObjectIndexTest, RefreshThenFind) {
  std::vector<IndexEntry> entries;
  for (uint64_t n = 0; n < 50; n++) entries.push_back(MakeEntry(n, 1));
  WriteIndex(entries);
  ObjectIndex index(env_, dir_.path());
  EXPECT_FALSE(index.Find(entries[0].id).has_value());  // nothing mapped before Refresh
  ASSERT_TRUE(index.Refresh().ok());
  for (const IndexEntry& e : entries) {
    auto got = index.Find(e.id);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(Encoded(*got), Encoded(e));
  }
  EXPECT_FALSE(index.Find(HashBytes("absent")).has_value());
  // Ids just around existing ones: the binary search must not return neighbours.
  ObjectId near = entries[7].id;
  near.bytes[31] ^= 1;
  EXPECT_FALSE(index.Find(near).has_value());
  EXPECT_FALSE(index.Find(ObjectId()).has_value());
  ObjectId max;
  max.bytes.fill(0xff);
  EXPECT_FALSE(index.Find(max).has_value());
}

TEST_F(ObjectIndexTest, SeveralIndexFilesAndIncrementalRefresh) {
  std::vector<IndexEntry> a, b, c;
  for (uint64_t n = 0; n < 10; n++) a.push_back(MakeEntry(n, 0x11));
  for (uint64_t n = 10; n < 25; n++) b.push_back(MakeEntry(n, 0x22));
  for (uint64_t n = 25; n < 27; n++) c.push_back(MakeEntry(n, 0x33));
  WriteIndex(a);
  WriteIndex(b);
  ObjectIndex index(env_, dir_.path());
  ASSERT_TRUE(index.Refresh().ok());
  for (const auto* set : {&a, &b}) {
    for (const IndexEntry& e : *set) EXPECT_TRUE(index.Find(e.id).has_value());
  }
  EXPECT_FALSE(index.Find(c[0].id).has_value());
  WriteIndex(c);
  EXPECT_FALSE(index.Find(c[0].id).has_value());
  ASSERT_TRUE(index.Refresh().ok());
  for (const IndexEntry& e : c) {
    auto got = index.Find(e.id);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->pack, e.pack);
  }
  EXPECT_EQ(index.CoveredPacks(), (std::unordered_set<std::string>{std::string(32, '1'), std::string(32, '2'),
                                                                   std::string(32, '3')}));
}

// A prune replaces index files: a refresh maps the new one and forgets the removed ones, whose entries name
// packs that are about to go, and says so through generation().
TEST_F(ObjectIndexTest, RefreshForgetsRemovedFiles) {
  std::vector<IndexEntry> old_entries, new_entries;
  for (uint64_t n = 0; n < 10; n++) {
    old_entries.push_back(MakeEntry(n, 0x11));
    new_entries.push_back(MakeEntry(n, 0x22));
  }
  const std::string old_path = WriteIndex(old_entries);
  ObjectIndex index(env_, dir_.path());
  ASSERT_TRUE(index.Refresh().ok());
  ASSERT_EQ(index.Find(old_entries[3].id)->pack, old_entries[3].pack);
  const uint64_t before = index.generation();
  ASSERT_TRUE(index.Refresh().ok());
  EXPECT_EQ(index.generation(), before) << "nothing changed on disk";

  WriteIndex(new_entries);
  std::filesystem::remove(old_path);
  ASSERT_TRUE(index.Refresh().ok());
  EXPECT_NE(index.generation(), before);
  for (const IndexEntry& e : new_entries) {
    auto got = index.Find(e.id);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->pack, e.pack) << "an entry of the removed file was found";
  }
  EXPECT_EQ(index.FileNames().size(), 1u);
  EXPECT_EQ(index.CoveredPacks(), (std::unordered_set<std::string>{std::string(32, '2')}));
  size_t seen = 0;
  index.ForEachEntry([&](const Result<IndexEntry>& e) {
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->pack, new_entries[0].pack);
    seen++;
  });
  EXPECT_EQ(seen, new_entries.size());
}

TEST_F(ObjectIndexTest, AddLocalIsFoundWithoutIndexFiles) {
  ObjectIndex index(env_, dir_.path());
  ASSERT_TRUE(index.Refresh().ok());
  IndexEntry e = MakeEntry(1, 0x44);
  EXPECT_FALSE(index.Find(e.id).has_value());
  index.AddLocal(e);
  auto got = index.Find(e.id);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(Encoded(*got), Encoded(e));
  EXPECT_EQ(index.CoveredPacks(), std::unordered_set<std::string>{std::string(32, '4')});
}

TEST_F(ObjectIndexTest, DropUncommittedKeepsWhatIndexFilesList) {
  ObjectIndex index(env_, dir_.path());
  ASSERT_TRUE(index.Refresh().ok());
  const IndexEntry committed = MakeEntry(1, 0x55);
  const IndexEntry dropped = MakeEntry(2, 0x66);
  index.AddLocal(committed);
  index.AddLocal(dropped);
  WriteIndex({committed});  // as Store::CommitObjects does after AddLocal
  ASSERT_TRUE(index.DropUncommitted().ok());
  auto found = index.Find(committed.id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Encoded(*found), Encoded(committed));
  EXPECT_FALSE(index.Find(dropped.id).has_value());
  EXPECT_EQ(index.CoveredPacks(), std::unordered_set<std::string>{std::string(32, '5')});
}

TEST_F(ObjectIndexTest, CoveredPacksListsEveryPack) {
  std::vector<IndexEntry> entries;
  for (uint64_t n = 0; n < 8; n++) entries.push_back(MakeEntry(n, static_cast<uint8_t>(0xa0 + n % 3)));
  WriteIndex(entries);
  ObjectIndex index(env_, dir_.path());
  ASSERT_TRUE(index.Refresh().ok());
  EXPECT_EQ(index.CoveredPacks(), (std::unordered_set<std::string>{"a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0",
                                                                   "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
                                                                   "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2"}));
}

TEST_F(ObjectIndexTest, VerifyCatchesEveryFlippedByte) {
  const std::string file = test::ReadFile(WriteIndex({MakeEntry(1, 5), MakeEntry(2, 5)}));
  ASSERT_TRUE(ObjectIndex::Verify(file, "f").ok());
  for (size_t i = 0; i < file.size(); i++) {
    std::string bad = file;
    bad[i] ^= 0x04;
    Status s = ObjectIndex::Verify(bad, "idx-name");
    ASSERT_FALSE(s.ok()) << "byte " << i;
    if (i >= 8 && i < 12) {
      EXPECT_EQ(s.code(), Status::Code::kNotSupported) << i;  // the version field
    } else {
      EXPECT_TRUE(s.IsCorruption()) << i;
    }
    EXPECT_NE(s.message().find("idx-name"), std::string::npos);
  }
}

// Builds an index file by hand (header, entries as given, checksum) so the checksum is valid.
std::string HandBuiltIndex(const std::vector<IndexEntry>& entries) {
  std::string out("\x89STRIDX\n");
  out += std::string("\x01\x00\x00\x00", 4);
  const uint32_t n = static_cast<uint32_t>(entries.size());
  for (int i = 0; i < 4; i++) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  for (const IndexEntry& e : entries) out += Encoded(e);
  return out + test::Blake2b256(out);
}

TEST_F(ObjectIndexTest, VerifyCatchesUnsortedAndDuplicateEntries) {
  std::vector<IndexEntry> entries = {MakeEntry(1, 1), MakeEntry(2, 1), MakeEntry(3, 1)};
  std::sort(entries.begin(), entries.end(),
            [](const IndexEntry& a, const IndexEntry& b) { return a.id < b.id; });
  EXPECT_TRUE(ObjectIndex::Verify(HandBuiltIndex(entries), "f").ok());
  EXPECT_TRUE(ObjectIndex::Verify(HandBuiltIndex({}), "f").ok());
  std::swap(entries[1], entries[2]);
  EXPECT_TRUE(ObjectIndex::Verify(HandBuiltIndex(entries), "f").IsCorruption());
  std::swap(entries[1], entries[2]);
  entries[2] = entries[1];
  EXPECT_TRUE(ObjectIndex::Verify(HandBuiltIndex(entries), "f").IsCorruption());
  // An invalid entry with a valid checksum.
  entries = {MakeEntry(1, 1)};
  entries[0].stored_len = 1;
  EXPECT_TRUE(ObjectIndex::Verify(HandBuiltIndex(entries), "f").IsCorruption());
}

TEST_F(ObjectIndexTest, VerifyRejectsTruncation) {
  const std::string file = test::ReadFile(WriteIndex({MakeEntry(1, 5), MakeEntry(2, 5)}));
  for (size_t len = 0; len < file.size(); len++) {
    EXPECT_TRUE(ObjectIndex::Verify(file.substr(0, len), "f").IsCorruption()) << len;
  }
  EXPECT_TRUE(ObjectIndex::Verify(file + "x", "f").IsCorruption());
}

TEST_F(ObjectIndexTest, DamagedIndexFileIsSkippedAndReported) {
  std::vector<IndexEntry> good, bad;
  for (uint64_t n = 0; n < 5; n++) good.push_back(MakeEntry(n, 1));
  for (uint64_t n = 5; n < 10; n++) bad.push_back(MakeEntry(n, 2));
  WriteIndex(good);
  const std::string bad_path = WriteIndex(bad);
  const std::string bytes = test::ReadFile(bad_path);
  test::WriteFile(bad_path, bytes.substr(0, bytes.size() - 40));
  // A stray file with another name is ignored altogether.
  test::WriteFile(dir_.Join("index/notes.txt"), "hello");

  ObjectIndex index(env_, dir_.path());
  Status s = index.Refresh();
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find(bad_path), std::string::npos) << s.message();
  for (const IndexEntry& e : good) EXPECT_TRUE(index.Find(e.id).has_value());
  for (const IndexEntry& e : bad) EXPECT_FALSE(index.Find(e.id).has_value());
  // The damaged file is reported once, not on every refresh; files written later are still picked up.
  std::vector<IndexEntry> later = {MakeEntry(20, 3)};
  WriteIndex(later);
  EXPECT_TRUE(index.Refresh().ok());
  EXPECT_TRUE(index.Find(later[0].id).has_value());
}

TEST_F(ObjectIndexTest, RefreshWithoutIndexDirectoryFails) {
  test::TempDir empty;
  ObjectIndex index(env_, empty.path());
  EXPECT_FALSE(index.Refresh().ok());
}

TEST_F(ObjectIndexTest, EmptyWriteIsValid) {
  const std::string path = WriteIndex({});
  const std::string file = test::ReadFile(path);
  EXPECT_EQ(file.size(), 48u);
  EXPECT_TRUE(ObjectIndex::Verify(file, "f").ok());
  ObjectIndex index(env_, dir_.path());
  EXPECT_TRUE(index.Refresh().ok());
  EXPECT_TRUE(index.CoveredPacks().empty());
}

}  // namespace
}  // namespace strata
