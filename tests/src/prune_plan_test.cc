// PlanPrune's decisions, on packs described by hand: sizes are worked out here from strata-store(5) (a pack
// is 16 bytes of header, its objects, 96 bytes of trailer per object and a 64-byte footer), not taken from
// the code under test.
#include "src/prune_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "store/hash.h"

namespace strata {
namespace {

using format::ObjectType;

constexpr uint64_t kFixed = 16 + 64;  // header and footer

PackId Pack(uint8_t n) {
  PackId id;
  id.fill(n);
  return id;
}

ObjectId Id(int n) { return HashBytes("object " + std::to_string(n)); }

// A pack holding objects `ids`, each of `stored` bytes, back to back; `garbage` more bytes of objects no
// index lists (as a kept pack's unused objects after an earlier prune).
PackContents MakePack(uint8_t n, const std::vector<int>& ids, uint64_t stored, uint64_t garbage = 0,
                      ObjectType type = ObjectType::kData) {
  PackContents p;
  p.id = Pack(n);
  uint64_t offset = 16;
  for (int i : ids) {
    IndexEntry e;
    e.id = Id(i);
    e.type = type;
    e.pack = p.id;
    e.offset = offset;
    e.stored_len = stored;
    offset += stored;
    p.entries.push_back(e);
  }
  p.size = kFixed + (stored + 96) * ids.size() + garbage;
  return p;
}

UsedObjects Used(const std::vector<int>& ids, ObjectType type = ObjectType::kData) {
  UsedObjects used;
  for (int i : ids) used.emplace(Id(i), type);
  return used;
}

std::vector<ObjectId> Ids(const std::vector<IndexEntry>& entries) {
  std::vector<ObjectId> out;
  out.reserve(entries.size());
  for (const IndexEntry& e : entries) out.push_back(e.id);
  return out;
}

TEST(PrunePlanTest, PacksWithNothingUsedAreDeletedAndFullOnesStay) {
  const std::vector<PackContents> packs = {MakePack(1, {1, 2}, 1000), MakePack(2, {3, 4}, 1000)};
  PrunePlan plan = PlanPrune(packs, Used({3, 4}), 10, 0);
  EXPECT_EQ(plan.deleted, std::vector<PackId>{Pack(1)});
  EXPECT_TRUE(plan.repacked.empty());
  EXPECT_TRUE(plan.copy.empty());
  EXPECT_EQ(Ids(plan.keep), (std::vector<ObjectId>{Id(3), Id(4)}));
  EXPECT_EQ(plan.objects_removed, 2u);
  EXPECT_EQ(plan.bytes_unused, packs[0].size);
  EXPECT_TRUE(plan.changes());
  EXPECT_TRUE(plan.missing.empty());
}

TEST(PrunePlanTest, RepacksAboveTheThresholdOnly) {
  // Ten objects of 1000 bytes; keeping k of them leaves (10 - k) * 1096 unused of 11040.
  const PackContents pack = MakePack(1, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 1000);
  ASSERT_EQ(pack.size, 11040u);
  // One unused: 1096 / 11040 = 9.9%, under 10%.
  PrunePlan nine = PlanPrune({pack}, Used({0, 1, 2, 3, 4, 5, 6, 7, 8}), 10, 0);
  EXPECT_TRUE(nine.repacked.empty());
  EXPECT_EQ(nine.keep.size(), 9u);
  EXPECT_FALSE(nine.changes()) << "nothing to delete or repack";
  EXPECT_EQ(nine.bytes_unused, 1096u);
  // Two unused: 19.9%; the used objects are copied in their order in the pack.
  PrunePlan eight = PlanPrune({pack}, Used({7, 0, 3, 1, 2, 4, 5, 6}), 10, 0);
  EXPECT_EQ(eight.repacked, std::vector<PackId>{Pack(1)});
  EXPECT_EQ(Ids(eight.copy), (std::vector<ObjectId>{Id(0), Id(1), Id(2), Id(3), Id(4), Id(5), Id(6), Id(7)}));
  EXPECT_EQ(eight.bytes_copied, 8000u);
  EXPECT_TRUE(eight.keep.empty());
  // The same at 25%: kept; at 0%, even the 9.9% pack is repacked.
  EXPECT_TRUE(PlanPrune({pack}, Used({0, 1, 2, 3, 4, 5, 6, 7}), 25, 0).repacked.empty());
  EXPECT_EQ(PlanPrune({pack}, Used({0, 1, 2, 3, 4, 5, 6, 7, 8}), 0, 0).repacked.size(), 1u);
  // A pack that is all used is never repacked, at 0% neither (in an encrypted store its trailer is sealed).
  EXPECT_TRUE(PlanPrune({pack}, Used({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), 0, 0).repacked.empty());
  const PackContents sealed = MakePack(2, {0, 1}, 1000, format::kSealedFileOverhead);
  EXPECT_TRUE(PlanPrune({sealed}, Used({0, 1}), 0, format::kSealedFileOverhead).repacked.empty());
  EXPECT_EQ(PlanPrune({sealed}, Used({0, 1}), 0, 0).repacked.size(), 1u) << "40 bytes unused without sealing";
}

TEST(PrunePlanTest, BytesNoIndexListsCountAsUnused) {
  // A pack whose unused objects an earlier prune dropped from the index: 5000 bytes nobody lists.
  const PackContents pack = MakePack(1, {1, 2}, 1000, 5000);
  PrunePlan plan = PlanPrune({pack}, Used({1, 2}), 10, 0);
  EXPECT_EQ(plan.repacked, std::vector<PackId>{Pack(1)});
  EXPECT_EQ(plan.bytes_unused, 5000u);
  EXPECT_EQ(plan.objects_removed, 0u);
}

TEST(PrunePlanTest, AnObjectStoredTwiceKeepsTheEntryInTheFullerPack) {
  // A prune killed after it copied objects 1 and 2 out of pack 1 into pack 9 (and after pack 1 lost
  // object 3 from use): pack 9 is all used, so its entries win and pack 1 has nothing left.
  const PackContents old_pack = MakePack(1, {1, 2, 3}, 1000);
  const PackContents copy = MakePack(9, {1, 2}, 1000);
  for (const auto& packs :
       {std::vector<PackContents>{old_pack, copy}, std::vector<PackContents>{copy, old_pack}}) {
    PrunePlan plan = PlanPrune(packs, Used({1, 2}), 10, 0);
    EXPECT_EQ(plan.deleted, std::vector<PackId>{Pack(1)});
    EXPECT_TRUE(plan.repacked.empty());
    ASSERT_EQ(plan.keep.size(), 2u);
    for (const IndexEntry& e : plan.keep) EXPECT_EQ(e.pack, Pack(9));
    EXPECT_EQ(plan.objects_removed, 1u);
  }
  // Two packs just as full: the one with more used bytes, then the lower id.
  const PackContents a = MakePack(3, {1}, 1000);
  const PackContents b = MakePack(4, {1}, 1000);
  PrunePlan tie = PlanPrune({b, a}, Used({1}), 10, 0);
  ASSERT_EQ(tie.keep.size(), 1u);
  EXPECT_EQ(tie.keep[0].pack, Pack(3));
  EXPECT_EQ(tie.deleted, std::vector<PackId>{Pack(4)});
}

TEST(PrunePlanTest, EntriesOfAnotherTypeAreNotUsed) {
  const PackContents pack = MakePack(1, {1}, 1000, 0, ObjectType::kTree);
  PrunePlan plan = PlanPrune({pack}, Used({1}, ObjectType::kData), 10, 0);
  EXPECT_EQ(plan.missing, std::vector<ObjectId>{Id(1)});
  EXPECT_EQ(plan.deleted, std::vector<PackId>{Pack(1)});
}

TEST(PrunePlanTest, NothingUsedDeletesEverything) {
  PrunePlan plan = PlanPrune({MakePack(1, {1}, 10), MakePack(2, {2, 3}, 10)}, UsedObjects(), 10, 0);
  EXPECT_EQ(plan.deleted.size(), 2u);
  EXPECT_TRUE(plan.keep.empty() && plan.copy.empty());
  EXPECT_EQ(plan.objects_removed, 3u);
}

}  // namespace
}  // namespace strata
