// An encrypted store end to end through the Store API: unlocking, objects, index files and manifests.
// Oracles: the bytes written (read back equal), the files on disk (no plaintext in them) and files
// altered by hand (swapped frames, renamed manifests), never the store's own idea of what it wrote.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/hash.h"
#include "store/store.h"
#include "tests/testutil.h"

namespace strata {
namespace {

using format::ObjectType;

StoreParams SmallParams() {
  StoreParams p;
  p.data_frame_log2 = 12;
  p.pack_target_size = 1 << 20;
  return p;
}

PasswordSource Password(const std::string& pw) {
  return [pw]() { return SecretBytes::CopyOf(pw); };
}

std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path().string());
  }
  return out;
}

class EncryptedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.Join("s");
    auto pw = SecretBytes::CopyOf("correct horse");
    ASSERT_TRUE(Store::Init(env_, path_, SmallParams(), &*pw, KdfStrength::kMinimum).ok());
  }

  std::unique_ptr<Store> Open() {
    auto store = Store::Open(env_, path_, Password("correct horse"));
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Writes `contents` as data objects in one pack and commits them; returns their entries.
  std::vector<IndexEntry> WriteObjects(Store* store, const std::vector<std::string>& contents) {
    auto writer = store->NewPackWriter();
    std::vector<IndexEntry> entries;
    for (const std::string& c : contents) {
      auto e =
          writer->WriteObject(ObjectType::kData, store->DeriveId(ObjectType::kData, HashBytes(c)), c, 12);
      EXPECT_TRUE(e.ok());
      entries.push_back(*e);
    }
    EXPECT_TRUE(writer->Flush().ok());
    EXPECT_TRUE(store->CommitObjects(entries).ok());
    return entries;
  }

  Env* env_ = Env::Default();
  test::TempDir dir_;
  std::string path_;
};

TEST_F(EncryptedStoreTest, OpensOnlyWithTheRightPassword) {
  const std::string header = test::ReadFile(path_ + "/strata-store");
  auto none = Store::Open(env_, path_);
  EXPECT_EQ(none.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(none.status().message().find("encrypted"), std::string::npos) << none.status().message();
  auto wrong = Store::Open(env_, path_, Password("wrong horse"));
  EXPECT_TRUE(wrong.status().IsWrongPassword());
  EXPECT_NE(wrong.status().message().find("wrong password"), std::string::npos);
  EXPECT_EQ(test::ReadFile(path_ + "/strata-store"), header);
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->encrypted());

  // A plain store never asks.
  ASSERT_TRUE(Store::Init(env_, dir_.Join("plain"), SmallParams()).ok());
  bool asked = false;
  auto plain = Store::Open(env_, dir_.Join("plain"), [&asked]() -> Result<SecretBytes> {
    asked = true;
    return SecretBytes::CopyOf("x");
  });
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE((*plain)->encrypted());
  EXPECT_FALSE(asked);
}

TEST_F(EncryptedStoreTest, ObjectsAndManifestsRoundTripAndNoPlaintextReachesTheDisk) {
  const std::string marker = "DISTINCTIVE-PLAINTEXT-MARKER-";
  std::string compressible;
  while (compressible.size() < 20000) compressible += marker;
  const std::string random = test::RandomBytes(10000, 3);
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto entries = WriteObjects(store.get(), {compressible, random});
  Manifest m;
  m.time_ns = 1700000000000000000;
  m.host = "HOSTNAME-MARKER";
  m.paths = {"/SOURCE-PATH-MARKER"};
  m.root.type = EntryType::kDirectory;
  m.root.ref = entries[0].id;
  ASSERT_TRUE(store->CommitManifest(&m).ok());
  store.reset();

  for (const std::string& file : FilesUnder(path_)) {
    const std::string bytes = test::ReadFile(file);
    for (const std::string& needle :
         {marker, std::string("HOSTNAME-MARKER"), std::string("SOURCE-PATH-MARKER"), random.substr(100, 32),
          std::string(entries[0].id.View()), std::string(format::kIndexMagic),
          std::string(format::kManifestMagic)}) {
      EXPECT_EQ(bytes.find(needle), std::string::npos) << file;
    }
  }

  store = Open();
  ASSERT_NE(store, nullptr);
  auto a = store->ReadObject(entries[0].id, ObjectType::kData);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(*a, compressible);
  auto b = store->ReadObject(entries[1].id, ObjectType::kData);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(*b, random);
  auto snaps = store->ListSnapshots();
  ASSERT_TRUE(snaps.ok());
  ASSERT_EQ(snaps->size(), 1u);
  EXPECT_EQ((*snaps)[0].manifest.host, "HOSTNAME-MARKER");
  EXPECT_EQ((*snaps)[0].manifest.id, m.id);
  // Its id, and name, is the keyed hash: not BLAKE2b of the manifest's plaintext.
  EXPECT_NE(m.id, HashBytes(Manifest(m).Encode()));
}

TEST_F(EncryptedStoreTest, IdsAreKeyedPerStore) {
  const std::string other_path = dir_.Join("other");
  auto pw = SecretBytes::CopyOf("correct horse");
  ASSERT_TRUE(Store::Init(env_, other_path, SmallParams(), &*pw, KdfStrength::kMinimum).ok());
  auto store = Open();
  auto other = Store::Open(env_, other_path, Password("correct horse"));
  ASSERT_TRUE(other.ok());
  const ObjectId inner = HashBytes("same content");
  const ObjectId unkeyed = DeriveObjectId(ObjectType::kData, inner);
  EXPECT_EQ(std::string(unkeyed.View()),
            test::Blake2b256(std::string(1, '\x01') + std::string(inner.View())));
  EXPECT_NE(store->DeriveId(ObjectType::kData, inner), unkeyed);
  EXPECT_NE(store->DeriveId(ObjectType::kData, inner), (*other)->DeriveId(ObjectType::kData, inner));
  EXPECT_EQ(store->DeriveId(ObjectType::kData, inner), store->DeriveId(ObjectType::kData, inner));
}

TEST_F(EncryptedStoreTest, SwappedOrMovedFramesFailAuthentication) {
  // Incompressible 3-frame objects: every frame has the same stored size, so frames can trade places.
  const std::string a = test::RandomBytes(3 * 4096, 11);
  const std::string b = test::RandomBytes(3 * 4096, 12);
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto entries = WriteObjects(store.get(), {a, b});
  ASSERT_EQ(entries[0].pack, entries[1].pack);
  const std::string pack = PackPath(path_, entries[0].pack);
  const std::string original = test::ReadFile(pack);
  const size_t frame = 4096 + format::kSealedFrameOverhead;
  auto swap = [&](uint64_t x, uint64_t y) {
    std::string bytes = original;
    std::string tmp = bytes.substr(x, frame);
    bytes.replace(x, frame, bytes.substr(y, frame));
    bytes.replace(y, frame, tmp);
    test::WriteFile(pack, bytes);
  };
  auto reads = [&](const IndexEntry& e) {
    auto s = Open();
    return s->ReadObject(e.id, ObjectType::kData);
  };
  swap(entries[0].offset, entries[1].offset);  // frame 0 of a <-> frame 0 of b
  auto r = reads(entries[0]);
  EXPECT_TRUE(r.status().IsCorruption());
  EXPECT_NE(r.status().message().find("fails authentication"), std::string::npos) << r.status().message();
  EXPECT_TRUE(reads(entries[1]).status().IsCorruption());

  swap(entries[0].offset, entries[0].offset + frame);  // frames 0 and 1 of a
  EXPECT_TRUE(reads(entries[0]).status().IsCorruption());
  auto intact = reads(entries[1]);
  ASSERT_TRUE(intact.ok());
  EXPECT_EQ(*intact, b);

  test::WriteFile(pack, original);
  auto back = reads(entries[0]);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, a);
}

TEST_F(EncryptedStoreTest, RenamedOrDamagedMetadataFilesAreRejected) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto entries = WriteObjects(store.get(), {std::string("x")});
  Manifest m1;
  m1.time_ns = 1;
  m1.root.type = EntryType::kDirectory;
  m1.root.ref = entries[0].id;
  Manifest m2 = m1;
  m2.time_ns = 2;
  ASSERT_TRUE(store->CommitManifest(&m1).ok());
  ASSERT_TRUE(store->CommitManifest(&m2).ok());
  store.reset();
  const std::string snaps = path_ + "/snapshots/";
  // m2's sealed bytes under m1's name: authentication binds the name.
  test::WriteFile(snaps + m1.id.Hex() + ".snap", test::ReadFile(snaps + m2.id.Hex() + ".snap"));
  store = Open();
  std::vector<std::string> problems;
  auto listed = store->ListSnapshots(&problems);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].manifest.id, m2.id);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find(m1.id.Hex()), std::string::npos) << problems[0];

  // A flipped byte in the index file makes its objects missing, and the store still opens.
  const std::string index_dir = path_ + "/index";
  const auto index_files = FilesUnder(index_dir);
  ASSERT_EQ(index_files.size(), 1u);
  std::string bytes = test::ReadFile(index_files[0]);
  bytes[bytes.size() / 2] ^= 1;
  test::WriteFile(index_files[0], bytes);
  store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_FALSE(store->HasObject(entries[0].id));
  Status verify = store->index().VerifyFile(std::filesystem::path(index_files[0]).filename().string());
  EXPECT_TRUE(verify.IsCorruption());
  EXPECT_NE(verify.message().find("fails authentication"), std::string::npos) << verify.message();
}

TEST_F(EncryptedStoreTest, PackTrailerIsSealedAndRecoverable) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto entries = WriteObjects(store.get(), {std::string("one"), std::string("two")});
  auto trailer = store->packs().ReadTrailer(entries[0].pack);
  ASSERT_TRUE(trailer.ok()) << trailer.status().message();
  ASSERT_EQ(trailer->size(), 2u);
  EXPECT_EQ((*trailer)[0].id, entries[0].id);
  EXPECT_EQ((*trailer)[1].id, entries[1].id);
  // A plain reader of the same file finds no entries it can use.
  ASSERT_TRUE(Store::Init(env_, dir_.Join("plain"), SmallParams()).ok());
  const std::string pack = PackPath(path_, entries[0].pack);
  const std::string copy = PackPath(dir_.Join("plain"), entries[0].pack);
  std::filesystem::create_directories(std::filesystem::path(copy).parent_path());
  std::filesystem::copy_file(pack, copy);
  auto plain = Store::Open(env_, dir_.Join("plain"));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE((*plain)->packs().ReadTrailer(entries[0].pack).ok());
}

}  // namespace
}  // namespace strata
