#include "store/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/delta_ops.h"
#include "store/hash.h"
#include "store/store_key.h"
#include "tests/testutil.h"

namespace strata {
namespace {

using format::ObjectType;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

StoreParams SmallParams() {
  StoreParams p;
  p.data_frame_log2 = 12;  // 4 KiB frames keep test data small while spanning many frames
  p.zstd_level = 3;
  p.max_chain = 32;
  p.pack_target_size = 1 << 20;
  return p;
}

// ---------------------------------------------------------------------------------------------------------
// Init and Open.

class StoreOpenTest : public ::testing::Test {
 protected:
  Env* env_ = Env::Default();
  test::TempDir dir_;
};

TEST_F(StoreOpenTest, InitCreatesLayoutAndValidHeader) {
  const std::string path = dir_.Join("s");
  ASSERT_TRUE(Store::Init(env_, path, SmallParams()).ok());
  for (const char* sub : {"packs", "index", "snapshots", "tmp"}) {
    EXPECT_TRUE(std::filesystem::is_directory(path + "/" + sub)) << sub;
  }
  const std::string bytes = test::ReadFile(path + "/strata-store");
  auto h = StoreHeader::Decode(bytes, "h");
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->params.data_frame_log2, 12);
  EXPECT_EQ(h->params.pack_target_size, 1u << 20);
  EXPECT_EQ(h->uuid[6] >> 4, 4);       // RFC 4122 version 4
  EXPECT_EQ(h->uuid[8] & 0xc0, 0x80);  // variant 10

  auto store = Store::Open(env_, path);
  ASSERT_TRUE(store.ok()) << store.status().message();
  EXPECT_EQ((*store)->header().uuid, h->uuid);
  EXPECT_EQ((*store)->path(), path);
  auto snaps = (*store)->ListSnapshots();
  ASSERT_TRUE(snaps.ok());
  EXPECT_TRUE(snaps->empty());
  auto latest = (*store)->FindSnapshot("latest");
  EXPECT_TRUE(latest.status().IsNotFound());

  // Two stores get different uuids.
  ASSERT_TRUE(Store::Init(env_, dir_.Join("t"), SmallParams()).ok());
  auto other = StoreHeader::Decode(test::ReadFile(dir_.Join("t/strata-store")), "h");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->uuid, h->uuid);
}

TEST_F(StoreOpenTest, InitIntoEmptyExistingDirectory) {
  const std::string path = dir_.Join("empty");
  std::filesystem::create_directory(path);
  ASSERT_TRUE(Store::Init(env_, path, SmallParams()).ok());
  EXPECT_TRUE(Store::Open(env_, path).ok());
}

TEST_F(StoreOpenTest, InitOnNonEmptyDirectoryFails) {
  const std::string path = dir_.Join("full");
  std::filesystem::create_directory(path);
  test::WriteFile(path + "/precious.txt", "keep me");
  Status s = Store::Init(env_, path, SmallParams());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(Contains(s.message(), path)) << s.message();
  EXPECT_TRUE(Contains(s.message(), "not empty")) << s.message();
  EXPECT_FALSE(std::filesystem::exists(path + "/strata-store"));
  EXPECT_EQ(test::ReadFile(path + "/precious.txt"), "keep me");

  // An existing store is not re-initialised (its uuid must not change).
  const std::string store = dir_.Join("store");
  ASSERT_TRUE(Store::Init(env_, store, SmallParams()).ok());
  const std::string header = test::ReadFile(store + "/strata-store");
  s = Store::Init(env_, store, SmallParams());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(Contains(s.message(), store)) << s.message();
  EXPECT_TRUE(Contains(s.message(), "already")) << s.message();
  EXPECT_EQ(test::ReadFile(store + "/strata-store"), header);
}

TEST_F(StoreOpenTest, InitRejectsInvalidParamsWithoutWritingAHeader) {
  StoreParams p = SmallParams();
  p.data_frame_log2 = 21;
  const std::string path = dir_.Join("bad");
  EXPECT_FALSE(Store::Init(env_, path, p).ok());
  EXPECT_FALSE(std::filesystem::exists(path + "/strata-store"));
}

TEST_F(StoreOpenTest, OpenMissingDirectory) {
  const std::string path = dir_.Join("nowhere");
  auto s = Store::Open(env_, path);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsNotFound());
  EXPECT_TRUE(Contains(s.status().message(), path)) << s.status().message();
}

TEST_F(StoreOpenTest, OpenDirectoryThatIsNotAStore) {
  auto s = Store::Open(env_, dir_.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_TRUE(Contains(s.status().message(), dir_.path())) << s.status().message();
  EXPECT_TRUE(Contains(s.status().message(), "not a strata store")) << s.status().message();
}

TEST_F(StoreOpenTest, OpenGarbledHeader) {
  const std::string path = dir_.Join("s");
  ASSERT_TRUE(Store::Init(env_, path, SmallParams()).ok());
  const std::string header_path = path + "/strata-store";
  const std::string good = test::ReadFile(header_path);

  std::string bad = good;
  bad[30] ^= 1;
  test::WriteFile(header_path, bad);
  auto s = Store::Open(env_, path);
  ASSERT_TRUE(s.status().IsCorruption());
  EXPECT_TRUE(Contains(s.status().message(), header_path)) << s.status().message();

  test::WriteFile(header_path, "this is not a header");
  s = Store::Open(env_, path);
  ASSERT_TRUE(s.status().IsCorruption());
  EXPECT_TRUE(Contains(s.status().message(), header_path)) << s.status().message();

  test::WriteFile(header_path, good.substr(0, 40));
  EXPECT_TRUE(Store::Open(env_, path).status().IsCorruption());

  StoreHeader newer = *StoreHeader::Decode(good, "h");
  newer.version = 2;
  test::WriteFile(header_path, newer.Encode());
  s = Store::Open(env_, path);
  EXPECT_EQ(s.status().code(), Status::Code::kNotSupported);
  EXPECT_TRUE(Contains(s.status().message(), header_path)) << s.status().message();

  test::WriteFile(header_path, good);
  EXPECT_TRUE(Store::Open(env_, path).ok());
  std::filesystem::remove(path + "/packs");
  s = Store::Open(env_, path);
  EXPECT_TRUE(s.status().IsCorruption());
  EXPECT_TRUE(Contains(s.status().message(), "packs")) << s.status().message();
}

TEST(SnapshotTimeTest, Names) {
  // 1700000000 s is 2023-11-14 22:13:20 UTC.
  EXPECT_EQ(SnapshotTimeName(1700000000123456789), "2023-11-14T22.13.20Z");
  EXPECT_EQ(Rfc3339(1700000000123456789), "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(SnapshotTimeName(0), "1970-01-01T00.00.00Z");
  EXPECT_EQ(SnapshotTimeName(-1), "1969-12-31T23.59.59Z");
  EXPECT_EQ(Rfc3339(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(SnapshotTimeName(-1000000000), "1969-12-31T23.59.59Z");
}

TEST(DeriveObjectIdTest, IsHashOfTypeByteAndInner) {
  const ObjectId inner = HashBytes("payload");
  std::string in(1, '\x03');
  in += inner.View();
  EXPECT_EQ(DeriveObjectId(ObjectType::kVersion, inner), HashBytes(in));
  EXPECT_NE(DeriveObjectId(ObjectType::kData, inner), DeriveObjectId(ObjectType::kTree, inner));
}

// ---------------------------------------------------------------------------------------------------------
// A store with objects written by hand.

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Join("store");
    ASSERT_TRUE(Store::Init(env_, path_, SmallParams()).ok());
    Reopen();
  }

  void Reopen() {
    auto s = Store::Open(env_, path_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
  }

  void Put(ObjectType type, const ObjectId& id, const std::string& bytes) {
    if (!writer_) writer_ = store_->NewPackWriter();
    auto e = writer_->WriteObject(type, id, bytes, store_->header().params.data_frame_log2);
    ASSERT_TRUE(e.ok()) << e.status().message();
  }
  ObjectId PutData(const std::string& content) {
    ObjectId id = DeriveObjectId(ObjectType::kData, HashBytes(content));
    Put(ObjectType::kData, id, content);
    return id;
  }
  ObjectId PutVersion(const FileVersion& v) {
    ObjectId id = DeriveObjectId(ObjectType::kVersion, v.content_hash);
    Put(ObjectType::kVersion, id, v.Encode());
    return id;
  }
  ObjectId PutTree(const Tree& t) {
    const std::string bytes = t.Encode();
    ObjectId id = DeriveObjectId(ObjectType::kTree, HashBytes(bytes));
    Put(ObjectType::kTree, id, bytes);
    return id;
  }
  void Commit() {
    ASSERT_TRUE(writer_->Flush().ok());
    ASSERT_TRUE(store_->CommitObjects(writer_->TakeSealedEntries()).ok());
    writer_.reset();
  }

  static FileVersion FullVersion(const std::string& content, const ObjectId& payload) {
    FileVersion v;
    v.kind = FileVersion::Kind::kFull;
    v.size = content.size();
    v.content_hash = HashBytes(content);
    v.payload = payload;
    return v;
  }
  static FileVersion DeltaVersion(const std::string& content, const ObjectId& base, uint32_t depth,
                                  const ObjectId& literal, uint64_t literal_size,
                                  const std::vector<DeltaOp>& ops) {
    FileVersion v;
    v.kind = FileVersion::Kind::kDelta;
    v.size = content.size();
    v.content_hash = HashBytes(content);
    v.payload = literal;
    v.base = base;
    v.depth = depth;
    v.literal_size = literal_size;
    EncodeOps(ops, &v.ops);
    return v;
  }

  Manifest MakeManifest(int64_t time_ns, const ObjectId& root_tree, const std::string& label = "") {
    Manifest m;
    m.time_ns = time_ns;
    m.host = "host";
    m.paths = {"/src"};
    m.label = label;
    m.root.type = EntryType::kDirectory;
    m.root.mode = 0755;
    m.root.ref = root_tree;
    return m;
  }

  Env* env_ = Env::Default();
  test::TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<PackWriter> writer_;
};

std::string Mixed(size_t n, uint64_t seed) {
  std::string random = test::RandomBytes(n, seed);
  std::string s;
  for (size_t i = 0; i < n; i++)
    s.push_back((i / 700) % 2 == 0 ? random[i] : static_cast<char>('A' + i % 13));
  return s;
}

DeltaOp Copy(uint64_t offset, uint64_t length) { return {DeltaOp::Kind::kCopy, offset, length}; }
DeltaOp Literal(uint64_t offset, uint64_t length) { return {DeltaOp::Kind::kLiteral, offset, length}; }

// FULL v0, DELTA v1 on v0, DELTA v2 on v1; a root tree with a subdirectory and one snapshot.
class StoreChainTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    v0_ = Mixed(40000, 1);
    lit1_ = test::RandomBytes(3500, 2);
    lit2_ = test::RandomBytes(777, 3);
    // Contents computed by plain concatenation, independently of the delta and extent-map code.
    v1_ = v0_.substr(0, 10000) + lit1_.substr(0, 3000) + v0_.substr(15000, 20000) + lit1_.substr(3000, 500) +
          v0_.substr(5000, 100);
    ASSERT_EQ(v1_.size(), 33600u);
    v2_ = v1_.substr(9000, 5000) + lit2_ + v1_.substr(0, 100) + v1_.substr(33400, 200) +
          v1_.substr(20000, 13000);
    ASSERT_EQ(v2_.size(), 19077u);

    p0_ = PutData(v0_);
    l1_ = PutData(lit1_);
    l2_ = PutData(lit2_);
    empty_payload_ = PutData("");
    vid0_ = PutVersion(FullVersion(v0_, p0_));
    vid1_ = PutVersion(DeltaVersion(
        v1_, vid0_, 1, l1_, lit1_.size(),
        {Copy(0, 10000), Literal(0, 3000), Copy(15000, 20000), Literal(3000, 500), Copy(5000, 100)}));
    vid2_ = PutVersion(DeltaVersion(
        v2_, vid1_, 2, l2_, lit2_.size(),
        {Copy(9000, 5000), Literal(0, 777), Copy(0, 100), Copy(33400, 200), Copy(20000, 13000)}));
    vid_empty_ = PutVersion(FullVersion("", empty_payload_));

    Tree sub;
    TreeEntry inner;
    inner.name = "inner";
    inner.type = EntryType::kRegular;
    inner.size = v0_.size();
    inner.ref = vid0_;
    sub.entries.push_back(inner);
    sub_id_ = PutTree(sub);

    Tree root;
    TreeEntry a;
    a.name = "a.txt";
    a.type = EntryType::kRegular;
    a.size = v2_.size();
    a.ref = vid2_;
    TreeEntry dir;
    dir.name = "dir";
    dir.type = EntryType::kDirectory;
    dir.ref = sub_id_;
    TreeEntry empty;
    empty.name = "empty";
    empty.type = EntryType::kRegular;
    empty.ref = vid_empty_;
    TreeEntry link;
    link.name = "link";
    link.type = EntryType::kSymlink;
    link.symlink_target = "a.txt";
    root.entries = {a, dir, empty, link};
    root_id_ = PutTree(root);
    Commit();

    manifest_ = MakeManifest(1700000000123456789, root_id_, "first");
    ASSERT_TRUE(store_->CommitManifest(&manifest_).ok());
    // Everything below reads through index files and packs only, as another process would.
    Reopen();
  }

  std::string v0_, v1_, v2_, lit1_, lit2_;
  ObjectId p0_, l1_, l2_, empty_payload_, vid0_, vid1_, vid2_, vid_empty_, sub_id_, root_id_;
  Manifest manifest_;
};

TEST_F(StoreChainTest, ReadWholeVersions) {
  for (const auto& [vid, content] : std::vector<std::pair<ObjectId, std::string>>{
           {vid0_, v0_}, {vid1_, v1_}, {vid2_, v2_}, {vid_empty_, ""}}) {
    std::string out = "stale";
    Status s = store_->ReadVersion(vid, 0, content.size() + 10, &out);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(out, content);
  }
}

TEST_F(StoreChainTest, ReadVersionAtRandomOffsetsAndLengths) {
  std::mt19937_64 rng(99);
  for (const auto& [vid, content] :
       std::vector<std::pair<ObjectId, std::string>>{{vid2_, v2_}, {vid0_, v0_}, {vid1_, v1_}}) {
    for (int i = 0; i < 400; i++) {
      const uint64_t offset = rng() % (content.size() + 50);
      const size_t n = i % 10 == 0 ? rng() % 20 : rng() % 9000;
      std::string out;
      Status s = store_->ReadVersion(vid, offset, n, &out);
      ASSERT_TRUE(s.ok()) << s.message();
      const std::string want = offset >= content.size() ? "" : content.substr(offset, n);
      ASSERT_EQ(out, want) << "offset " << offset << " n " << n;
    }
  }
}

TEST_F(StoreChainTest, ConcurrentReadsShareOneStore) {
  const std::vector<std::pair<ObjectId, const std::string*>> versions = {
      {vid0_, &v0_}, {vid1_, &v1_}, {vid2_, &v2_}};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      for (int i = 0; i < 200; i++) {
        const auto& [vid, content] = versions[rng() % versions.size()];
        const uint64_t offset = rng() % content->size();
        const size_t n = rng() % 6000;
        std::string out;
        if (!store_->ReadVersion(vid, offset, n, &out).ok() || out != content->substr(offset, n)) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(StoreChainTest, ReadVersionEdges) {
  std::string out = "stale";
  ASSERT_TRUE(store_->ReadVersion(vid2_, v2_.size(), 10, &out).ok());
  EXPECT_EQ(out, "");
  ASSERT_TRUE(store_->ReadVersion(vid2_, UINT64_MAX, 10, &out).ok());
  EXPECT_EQ(out, "");
  ASSERT_TRUE(store_->ReadVersion(vid2_, v2_.size() - 1, SIZE_MAX, &out).ok());
  EXPECT_EQ(out, v2_.substr(v2_.size() - 1));
  ASSERT_TRUE(store_->ReadVersion(vid1_, 4095, 2, &out).ok());  // across a frame boundary
  EXPECT_EQ(out, v1_.substr(4095, 2));
  ASSERT_TRUE(store_->ReadVersion(vid1_, 100, 0, &out).ok());
  EXPECT_EQ(out, "");
  // Unknown version.
  EXPECT_TRUE(store_->ReadVersion(HashBytes("no such version"), 0, 10, &out).IsCorruption());
}

TEST_F(StoreChainTest, ExtentMapsAreFlattened) {
  auto m0 = store_->GetExtentMap(vid0_);
  ASSERT_TRUE(m0.ok()) << m0.status().message();
  EXPECT_EQ((*m0)->size(), 40000u);
  EXPECT_EQ((*m0)->sources(), std::vector<ObjectId>{p0_});
  EXPECT_EQ((*m0)->extents(), (std::vector<Extent>{{0, 40000, 0, 0}}));

  auto m1 = store_->GetExtentMap(vid1_);
  ASSERT_TRUE(m1.ok()) << m1.status().message();
  EXPECT_EQ((*m1)->sources(), (std::vector<ObjectId>{p0_, l1_}));
  EXPECT_EQ((*m1)->extents(), (std::vector<Extent>{{0, 10000, 0, 0},
                                                   {10000, 3000, 1, 0},
                                                   {13000, 20000, 0, 15000},
                                                   {33000, 500, 1, 3000},
                                                   {33500, 100, 0, 5000}}));

  // v2 reads only payloads, never v1: every extent points into v0's content or a literal stream.
  auto m2 = store_->GetExtentMap(vid2_);
  ASSERT_TRUE(m2.ok()) << m2.status().message();
  EXPECT_EQ((*m2)->size(), 19077u);
  EXPECT_EQ((*m2)->sources(), (std::vector<ObjectId>{p0_, l1_, l2_}));
  EXPECT_EQ((*m2)->extents(), (std::vector<Extent>{{0, 1000, 0, 9000},
                                                   {1000, 3000, 1, 0},
                                                   {4000, 1000, 0, 15000},
                                                   {5000, 777, 2, 0},
                                                   {5777, 100, 0, 0},
                                                   {5877, 100, 1, 3400},
                                                   {5977, 100, 0, 5000},
                                                   {6077, 13000, 0, 22000}}));
  auto e = store_->GetExtentMap(vid_empty_);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->size(), 0u);
  EXPECT_TRUE((*e)->extents().empty());
}

TEST_F(StoreChainTest, ReadPayloadAndObjects) {
  std::string out;
  ASSERT_TRUE(store_->ReadPayload(p0_, 4000, 5000, &out).ok());
  EXPECT_EQ(out, v0_.substr(4000, 5000));
  out.clear();
  ASSERT_TRUE(store_->ReadPayload(p0_, 40000, 0, &out).ok());
  EXPECT_EQ(out, "");
  EXPECT_TRUE(store_->ReadPayload(p0_, 39990, 11, &out).IsCorruption());
  EXPECT_TRUE(store_->ReadPayload(p0_, 40001, 0, &out).IsCorruption());

  auto obj = store_->ReadObject(p0_, ObjectType::kData);
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ(*obj, v0_);
  // Asking for the wrong type is Corruption naming the object.
  auto wrong = store_->ReadObject(root_id_, ObjectType::kVersion);
  ASSERT_TRUE(wrong.status().IsCorruption());
  EXPECT_TRUE(Contains(wrong.status().message(), root_id_.Hex()));
  EXPECT_TRUE(store_->LoadTree(vid0_).status().IsCorruption());
  EXPECT_TRUE(store_->LoadVersion(root_id_).status().IsCorruption());
  EXPECT_TRUE(store_->ReadObject(HashBytes("missing"), ObjectType::kData).status().IsCorruption());
  EXPECT_TRUE(store_->HasObject(vid2_));
  EXPECT_FALSE(store_->HasObject(HashBytes("missing")));

  auto v = store_->LoadVersion(vid2_);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->base, vid1_);
  EXPECT_EQ(v->depth, 2u);
  EXPECT_EQ(v->content_hash, HashBytes(v2_));
}

TEST_F(StoreChainTest, Lookup) {
  for (const char* root : {"", ".", "/", "./", "//."}) {
    auto e = store_->Lookup(manifest_, root);
    ASSERT_TRUE(e.ok()) << root;
    EXPECT_EQ(e->type, EntryType::kDirectory);
    EXPECT_EQ(e->ref, root_id_);
  }
  auto a = store_->Lookup(manifest_, "a.txt");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->ref, vid2_);
  EXPECT_EQ(a->size, v2_.size());
  for (const char* p : {"dir/inner", "dir//inner", "./dir/./inner", "dir/inner/"}) {
    auto inner = store_->Lookup(manifest_, p);
    ASSERT_TRUE(inner.ok()) << p << ": " << inner.status().message();
    EXPECT_EQ(inner->name, "inner");
    EXPECT_EQ(inner->ref, vid0_);
  }
  auto dir = store_->Lookup(manifest_, "dir");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->ref, sub_id_);
  auto link = store_->Lookup(manifest_, "link");
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(link->symlink_target, "a.txt");

  auto missing = store_->Lookup(manifest_, "dir/nope");
  ASSERT_TRUE(missing.status().IsNotFound());
  EXPECT_TRUE(Contains(missing.status().message(), "dir/nope")) << missing.status().message();
  EXPECT_TRUE(store_->Lookup(manifest_, "nope").status().IsNotFound());
  EXPECT_TRUE(store_->Lookup(manifest_, "..").status().IsNotFound());
  auto through_file = store_->Lookup(manifest_, "a.txt/x");
  ASSERT_TRUE(through_file.status().IsNotFound());
  EXPECT_TRUE(Contains(through_file.status().message(), "a.txt")) << through_file.status().message();
  EXPECT_TRUE(store_->Lookup(manifest_, "link/x").status().IsNotFound());

  // Reading a file found by Lookup.
  std::string out;
  ASSERT_TRUE(store_->ReadVersion(store_->Lookup(manifest_, "dir/inner")->ref, 0, 100, &out).ok());
  EXPECT_EQ(out, v0_.substr(0, 100));
}

TEST_F(StoreChainTest, SnapshotRoundTripsThroughStore) {
  auto snaps = store_->ListSnapshots();
  ASSERT_TRUE(snaps.ok());
  ASSERT_EQ(snaps->size(), 1u);
  const Manifest& m = (*snaps)[0].manifest;
  EXPECT_EQ(m.id, manifest_.id);
  EXPECT_EQ(m.label, "first");
  EXPECT_EQ(m.root.ref, root_id_);
  EXPECT_EQ((*snaps)[0].name, "2023-11-14T22.13.20Z");
  // The manifest file is named by its id.
  EXPECT_TRUE(std::filesystem::exists(path_ + "/snapshots/" + manifest_.id.Hex() + ".snap"));
}

TEST_F(StoreChainTest, ObjectsWrittenBeforeReopenAreFoundLocally) {
  // Objects committed by this Store are found at once, before any index refresh of another instance.
  const std::string content = Mixed(9000, 77);
  const ObjectId p = PutData(content);
  const ObjectId v = PutVersion(FullVersion(content, p));
  Commit();
  std::string out;
  ASSERT_TRUE(store_->ReadVersion(v, 0, content.size(), &out).ok());
  EXPECT_EQ(out, content);
  // And by a fresh instance through the index file.
  auto other = Store::Open(env_, path_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->ReadVersion(v, 0, content.size(), &out).ok());
  EXPECT_EQ(out, content);
}

// Damaged chains: each is written into the store and read by a fresh Store (nothing cached).
// A coalesce writes a second record under a version's id (strata-store(5), "Coalescing"): every record
// stays findable, readers take the shallowest, and versions whose records still name the old depth of
// their base read as before.
TEST_F(StoreChainTest, SeveralRecordsOfOneVersionReadTheShallowest) {
  FileVersion full1 = FullVersion(v1_, PutData(v1_));
  PutVersion(full1);
  FileVersion redepthed2 = store_->LoadVersion(vid2_).value();
  redepthed2.depth = 1;
  PutVersion(redepthed2);
  Commit();
  Reopen();

  const std::vector<IndexEntry> records1 = store_->index().FindAll(vid1_);
  ASSERT_EQ(records1.size(), 2u);
  EXPECT_NE(records1[0].pack, records1[1].pack);
  auto loaded1 = store_->LoadVersionRecord(vid1_);
  ASSERT_TRUE(loaded1.ok()) << loaded1.status().message();
  EXPECT_EQ(loaded1->version.kind, FileVersion::Kind::kFull);
  EXPECT_EQ(loaded1->version.depth, 0u);
  EXPECT_EQ(loaded1->version.Encode(), full1.Encode());
  EXPECT_EQ(store_->LoadVersion(vid2_)->depth, 1u);
  EXPECT_EQ(store_->index().FindAll(vid0_).size(), 1u);
  EXPECT_TRUE(store_->index().FindAll(HashBytes("not stored")).empty());

  // A delta whose record still says depth 3 on its base v2 (now depth 1) reads too.
  const std::string v3 = v2_.substr(100, 5000);
  const ObjectId vid3 = PutVersion(DeltaVersion(v3, vid2_, 3, empty_payload_, 0, {Copy(100, 5000)}));
  Commit();
  Reopen();
  for (const auto& [vid, want] :
       std::vector<std::pair<ObjectId, std::string>>{{vid0_, v0_}, {vid1_, v1_}, {vid2_, v2_}, {vid3, v3}}) {
    std::string out;
    Status s = store_->ReadVersion(vid, 0, want.size() + 1, &out);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(out, want);
  }

  // A deeper record written later does not win.
  FileVersion deep1 = store_->LoadVersion(vid1_).value();
  ASSERT_EQ(deep1.depth, 0u);
  PutVersion(DeltaVersion(
      v1_, vid0_, 1, l1_, lit1_.size(),
      {Copy(0, 10000), Literal(0, 3000), Copy(15000, 20000), Literal(3000, 500), Copy(5000, 100)}));
  Commit();
  Reopen();
  EXPECT_EQ(store_->index().FindAll(vid1_).size(), 3u);
  EXPECT_EQ(store_->LoadVersion(vid1_)->kind, FileVersion::Kind::kFull);
}

class StoreBadChainTest : public StoreChainTest {
 protected:
  ObjectId PutVersionAs(const ObjectId& id, const FileVersion& v) {
    Put(ObjectType::kVersion, id, v.Encode());
    return id;
  }
  Status ReadFresh(const ObjectId& vid) {
    Reopen();
    std::string out;
    return store_->ReadVersion(vid, 0, 100, &out);
  }
};

TEST_F(StoreBadChainTest, SelfCycleIsCorruption) {
  const ObjectId self = HashBytes("self");
  PutVersionAs(self, DeltaVersion(v1_, self, 1, l1_, lit1_.size(), {Copy(0, 10), Literal(0, 3500)}));
  Commit();
  Status s = ReadFresh(self);
  EXPECT_TRUE(s.IsCorruption()) << s.message();
  EXPECT_TRUE(store_->GetExtentMap(self).status().IsCorruption());
}

TEST_F(StoreBadChainTest, TwoCycleIsCorruption) {
  const ObjectId a = HashBytes("cycle a");
  const ObjectId b = HashBytes("cycle b");
  PutVersionAs(a, DeltaVersion(v1_, b, 2, l1_, lit1_.size(), {Literal(0, 3500)}));
  PutVersionAs(b, DeltaVersion(v1_, a, 1, l1_, lit1_.size(), {Literal(0, 3500)}));
  Commit();
  Status s = ReadFresh(a);
  EXPECT_TRUE(s.IsCorruption()) << s.message();
  s = ReadFresh(b);
  EXPECT_TRUE(s.IsCorruption()) << s.message();
}

TEST_F(StoreBadChainTest, DepthNotAboveItsBaseIsCorruption) {
  // Records that are valid in every respect but their depth.
  // depth 1 on a depth-1 base.
  const ObjectId bad = PutVersionAs(HashBytes("bad depth"), DeltaVersion(v1_.substr(0, 1000), vid1_, 1,
                                                                         empty_payload_, 0, {Copy(0, 1000)}));
  // depth 1 on a depth-2 base.
  const ObjectId bad2 =
      PutVersionAs(HashBytes("bad depth 2"),
                   DeltaVersion(v2_.substr(0, 1000), vid2_, 1, empty_payload_, 0, {Copy(0, 1000)}));
  // Control: the same record with the right depth reads fine, and so does one deeper than its base needs
  // (its base was coalesced to a shallower record after it was written).
  const ObjectId good =
      PutVersionAs(HashBytes("good depth"),
                   DeltaVersion(v1_.substr(0, 1000), vid1_, 2, empty_payload_, 0, {Copy(0, 1000)}));
  const ObjectId deeper = PutVersionAs(
      HashBytes("deeper"), DeltaVersion(v1_.substr(0, 900), vid1_, 5, empty_payload_, 0, {Copy(0, 900)}));
  Commit();
  Reopen();
  std::string out;
  ASSERT_TRUE(store_->ReadVersion(good, 0, 2000, &out).ok());
  EXPECT_EQ(out, v1_.substr(0, 1000));
  ASSERT_TRUE(store_->ReadVersion(deeper, 0, 2000, &out).ok());
  EXPECT_EQ(out, v1_.substr(0, 900));
  Status s = ReadFresh(bad);
  EXPECT_TRUE(s.IsCorruption()) << s.message();
  EXPECT_TRUE(Contains(s.message(), "depth")) << s.message();
  s = ReadFresh(bad2);
  EXPECT_TRUE(s.IsCorruption()) << s.message();
}

TEST_F(StoreBadChainTest, DepthNotAboveItsBaseIsCorruptionEvenWhenBaseIsCached) {
  const ObjectId bad = PutVersionAs(HashBytes("bad depth"), DeltaVersion(v1_.substr(0, 1000), vid1_, 1,
                                                                         empty_payload_, 0, {Copy(0, 1000)}));
  Commit();
  Reopen();
  std::string out;
  ASSERT_TRUE(store_->ReadVersion(vid1_, 0, 10, &out).ok());  // caches v1's extent map
  Status s = store_->ReadVersion(bad, 0, 100, &out);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.IsCorruption()) << s.message();
}

TEST_F(StoreBadChainTest, BrokenReferencesAreCorruption) {
  // FULL whose payload has the wrong size.
  const ObjectId wrong_size = PutVersionAs(HashBytes("wrong size"), FullVersion(v0_ + "x", p0_));
  // DELTA whose literal object has the wrong size.
  const ObjectId wrong_lit = PutVersionAs(
      HashBytes("wrong lit"), DeltaVersion(v1_.substr(0, 700), vid0_, 1, l2_, 700, {Literal(0, 700)}));
  // FULL whose payload is missing.
  const ObjectId missing = PutVersionAs(HashBytes("missing"), FullVersion(v0_, HashBytes("not stored")));
  // FULL whose payload is a tree.
  const ObjectId tree_payload = PutVersionAs(HashBytes("tree payload"), FullVersion("x", root_id_));
  // DELTA copying past the end of its base.
  const ObjectId past_end =
      PutVersionAs(HashBytes("past end"),
                   DeltaVersion(std::string(200, 'x'), vid0_, 1, empty_payload_, 0, {Copy(39900, 200)}));
  // DELTA whose ops do not produce its size.
  const ObjectId short_ops =
      PutVersionAs(HashBytes("short ops"),
                   DeltaVersion(std::string(200, 'x'), vid0_, 1, empty_payload_, 0, {Copy(0, 100)}));
  // DELTA whose base is a tree.
  const ObjectId tree_base =
      PutVersionAs(HashBytes("tree base"),
                   DeltaVersion(std::string(10, 'x'), root_id_, 1, empty_payload_, 0, {Copy(0, 10)}));
  Commit();
  for (const ObjectId& id : {wrong_size, wrong_lit, missing, tree_payload, past_end, short_ops, tree_base}) {
    Status s = ReadFresh(id);
    EXPECT_TRUE(s.IsCorruption()) << id.Hex() << ": " << s.message();
  }
}

TEST_F(StoreBadChainTest, DeepChainReads) {
  // A chain of 40 deltas, each replacing a different 10-byte window: deep chains compose correctly.
  std::string content = v0_;
  ObjectId base = vid0_;
  std::vector<std::pair<ObjectId, std::string>> versions;
  for (uint32_t depth = 1; depth <= 40; depth++) {
    const std::string lit = "delta#" + std::to_string(1000 + depth);
    ASSERT_EQ(lit.size(), 10u);
    const uint64_t at = depth * 997;
    const std::string next = content.substr(0, at) + lit + content.substr(at + 10);
    const ObjectId l = PutData(lit);
    base = PutVersion(DeltaVersion(next, base, depth, l, 10,
                                   {Copy(0, at), Literal(0, 10), Copy(at + 10, content.size() - at - 10)}));
    content = next;
    versions.emplace_back(base, content);
  }
  Commit();
  Reopen();
  std::mt19937_64 rng(5);
  for (int i = 0; i < 200; i++) {
    const auto& [vid, want] = versions[rng() % versions.size()];
    const uint64_t offset = rng() % want.size();
    const size_t n = rng() % 3000;
    std::string out;
    ASSERT_TRUE(store_->ReadVersion(vid, offset, n, &out).ok());
    ASSERT_EQ(out, want.substr(offset, n));
  }
}

// ---------------------------------------------------------------------------------------------------------
// Snapshots.

class StoreSnapshotTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    Tree empty;
    root_ = PutTree(empty);
    Commit();
  }
  Manifest CommitSnapshot(int64_t time_ns, const std::string& label) {
    Manifest m = MakeManifest(time_ns, root_, label);
    EXPECT_TRUE(store_->CommitManifest(&m).ok());
    return m;
  }
  ObjectId root_;
};

constexpr int64_t kT0 = 1700000000ll * 1000000000;  // 2023-11-14T22:13:20Z

TEST_F(StoreSnapshotTest, ListsOldestFirstWithSuffixesForClashingSeconds) {
  Manifest c = CommitSnapshot(kT0 + 100ll * 1000000000, "c");  // 22:15:00
  Manifest b = CommitSnapshot(kT0 + 999999999, "b");           // same second as a, later
  Manifest a = CommitSnapshot(kT0 + 5, "a");
  auto snaps = store_->ListSnapshots();
  ASSERT_TRUE(snaps.ok());
  ASSERT_EQ(snaps->size(), 3u);
  EXPECT_EQ((*snaps)[0].manifest.id, a.id);
  EXPECT_EQ((*snaps)[0].name, "2023-11-14T22.13.20Z");
  EXPECT_EQ((*snaps)[1].manifest.id, b.id);
  EXPECT_EQ((*snaps)[1].name, "2023-11-14T22.13.20Z_2");
  EXPECT_EQ((*snaps)[2].manifest.id, c.id);
  EXPECT_EQ((*snaps)[2].name, "2023-11-14T22.15.00Z");
}

TEST_F(StoreSnapshotTest, IdenticalTimesAreOrderedById) {
  Manifest x = CommitSnapshot(kT0, "x");
  Manifest y = CommitSnapshot(kT0, "y");
  Manifest z = CommitSnapshot(kT0, "z");
  std::vector<ObjectId> ids = {x.id, y.id, z.id};
  std::sort(ids.begin(), ids.end());
  auto snaps = store_->ListSnapshots();
  ASSERT_TRUE(snaps.ok());
  ASSERT_EQ(snaps->size(), 3u);
  const char* names[] = {"2023-11-14T22.13.20Z", "2023-11-14T22.13.20Z_2", "2023-11-14T22.13.20Z_3"};
  for (size_t i = 0; i < 3; i++) {
    EXPECT_EQ((*snaps)[i].manifest.id, ids[i]);
    EXPECT_EQ((*snaps)[i].name, names[i]);
  }
  // Names are stable across listings and resolvable.
  auto again = store_->FindSnapshot("2023-11-14T22.13.20Z_3");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->manifest.id, ids[2]);
}

TEST_F(StoreSnapshotTest, FindSnapshot) {
  Manifest a = CommitSnapshot(kT0 + 5, "a");
  Manifest b = CommitSnapshot(kT0 + 7, "b");
  Manifest c = CommitSnapshot(kT0 + 3600ll * 1000000000, "c");

  auto by_id = store_->FindSnapshot(b.id.Hex());
  ASSERT_TRUE(by_id.ok()) << by_id.status().message();
  EXPECT_EQ(by_id->manifest.id, b.id);
  EXPECT_EQ(by_id->manifest.label, "b");
  EXPECT_EQ(by_id->name, "2023-11-14T22.13.20Z_2");

  // The shortest prefix that is unique among these three.
  for (size_t len = 4; len <= 64; len++) {
    const std::string prefix = a.id.Hex().substr(0, len);
    if (b.id.Hex().starts_with(prefix) || c.id.Hex().starts_with(prefix)) continue;
    auto by_prefix = store_->FindSnapshot(prefix);
    ASSERT_TRUE(by_prefix.ok()) << prefix << ": " << by_prefix.status().message();
    EXPECT_EQ(by_prefix->manifest.id, a.id);
    std::string upper = prefix;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char ch) { return std::toupper(ch); });
    auto by_upper = store_->FindSnapshot(upper);
    ASSERT_TRUE(by_upper.ok()) << upper;
    EXPECT_EQ(by_upper->manifest.id, a.id);
    break;
  }

  auto by_name = store_->FindSnapshot("2023-11-14T23.13.20Z");
  ASSERT_TRUE(by_name.ok()) << by_name.status().message();
  EXPECT_EQ(by_name->manifest.id, c.id);
  auto first = store_->FindSnapshot("2023-11-14T22.13.20Z");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->manifest.id, a.id);

  auto latest = store_->FindSnapshot("latest");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->manifest.id, c.id);

  for (const char* unknown : {"nope", "2023-11-14T22.13.21Z", "0000000000", "", "latest2"}) {
    auto r = store_->FindSnapshot(unknown);
    EXPECT_TRUE(r.status().IsNotFound()) << unknown;
  }
  // A prefix shorter than four digits is never taken as an id, even if it matches.
  auto short_prefix = store_->FindSnapshot(a.id.Hex().substr(0, 3));
  EXPECT_TRUE(short_prefix.status().IsNotFound());
  // A full id that is not there.
  ObjectId other = a.id;
  other.bytes[31] ^= 1;
  EXPECT_TRUE(store_->FindSnapshot(other.Hex()).status().IsNotFound());
  EXPECT_TRUE(Contains(store_->FindSnapshot("nope").status().message(), path_));
}

TEST_F(StoreSnapshotTest, AmbiguousPrefix) {
  // Find two manifests whose ids share their first four hex digits (birthday search over labels).
  std::map<std::string, std::string> by_prefix;
  std::string label_a, label_b, prefix;
  for (int i = 0; i < 100000 && prefix.empty(); i++) {
    Manifest m = MakeManifest(kT0, root_, "cand-" + std::to_string(i));
    m.Encode();
    const std::string p = m.id.Hex().substr(0, 4);
    auto [it, inserted] = by_prefix.emplace(p, m.label);
    if (!inserted) {
      label_a = it->second;
      label_b = m.label;
      prefix = p;
    }
  }
  ASSERT_FALSE(prefix.empty());
  Manifest a = CommitSnapshot(kT0, label_a);
  Manifest b = CommitSnapshot(kT0, label_b);
  ASSERT_EQ(a.id.Hex().substr(0, 4), prefix);
  ASSERT_EQ(b.id.Hex().substr(0, 4), prefix);

  auto r = store_->FindSnapshot(prefix);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), "ambiguous")) << r.status().message();
  EXPECT_TRUE(Contains(r.status().message(), prefix)) << r.status().message();
  // A longer prefix that tells them apart works.
  size_t len = 5;
  while (a.id.Hex().substr(0, len) == b.id.Hex().substr(0, len)) len++;
  auto ra = store_->FindSnapshot(a.id.Hex().substr(0, len));
  ASSERT_TRUE(ra.ok());
  EXPECT_EQ(ra->manifest.id, a.id);
  auto rb = store_->FindSnapshot(b.id.Hex().substr(0, len));
  ASSERT_TRUE(rb.ok());
  EXPECT_EQ(rb->manifest.id, b.id);
}

TEST_F(StoreSnapshotTest, DamagedManifestsAreSkippedAndReported) {
  Manifest good = CommitSnapshot(kT0, "good");
  Manifest moved = CommitSnapshot(kT0 + 1000000000, "moved");
  const std::string snaps_dir = path_ + "/snapshots/";
  // A renamed manifest: valid content under another id's name.
  const std::string renamed = std::string(64, 'a') + ".snap";
  std::filesystem::rename(snaps_dir + moved.id.Hex() + ".snap", snaps_dir + renamed);
  // Garbage under a well-formed name.
  const std::string garbage = std::string(64, 'b') + ".snap";
  test::WriteFile(snaps_dir + garbage, "garbage");
  // A half-written temporary file is not a manifest at all.
  test::WriteFile(snaps_dir + good.id.Hex() + ".snap.tmp.123", "partial");

  std::vector<std::string> problems;
  auto snaps = store_->ListSnapshots(&problems);
  ASSERT_TRUE(snaps.ok());
  ASSERT_EQ(snaps->size(), 1u);
  EXPECT_EQ((*snaps)[0].manifest.id, good.id);
  ASSERT_EQ(problems.size(), 2u);
  std::sort(problems.begin(), problems.end());
  EXPECT_TRUE(Contains(problems[0], renamed)) << problems[0];
  EXPECT_TRUE(Contains(problems[1], garbage)) << problems[1];
  // Without a problems vector the listing still works.
  EXPECT_TRUE(store_->ListSnapshots().ok());
}

}  // namespace
}  // namespace strata
