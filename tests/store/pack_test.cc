// PackWriter and PackReader, checked against the pack file bytes as the Env sees them.
#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/env.h"
#include "store/format.h"
#include "store/hash.h"
#include "store/pack_reader.h"
#include "store/pack_writer.h"
#include "tests/testutil.h"

namespace strata {
namespace {

constexpr uint8_t kLog2 = 12;
constexpr size_t kFrame = size_t{1} << kLog2;

uint64_t Le64(const std::string& s, size_t at) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= static_cast<uint64_t>(static_cast<uint8_t>(s[at + i])) << (8 * i);
  return v;
}

uint32_t Le32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= static_cast<uint32_t>(static_cast<uint8_t>(s[at + i])) << (8 * i);
  return v;
}

void SetLe64(std::string* s, size_t at, uint64_t v) {
  for (int i = 0; i < 8; i++) (*s)[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

std::string Mixed(size_t n, uint64_t seed) {
  // Alternating incompressible and compressible 1 KiB runs, so frames take both encodings.
  std::string s;
  std::string random = test::RandomBytes(n, seed);
  for (size_t i = 0; i < n; i++)
    s.push_back((i / 1024) % 2 == 0 ? random[i] : static_cast<char>('a' + i % 7));
  return s;
}

ObjectId IdOf(std::string_view content, char tag) {
  std::string s(1, tag);
  s += content;
  return HashBytes(s);
}

size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

class PackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_->CreateDir(dir_.Join("tmp")).ok());
    ASSERT_TRUE(env_->CreateDir(dir_.Join("packs")).ok());
  }

  std::unique_ptr<PackWriter> NewWriter(uint64_t target = 64 << 20) {
    return std::make_unique<PackWriter>(env_, dir_.path(), &codec_, target);
  }
  std::unique_ptr<PackReader> NewReader() { return std::make_unique<PackReader>(env_, dir_.path(), &codec_); }
  std::string PackFile(const PackId& id) { return PackPath(dir_.path(), id); }

  // The four objects every layout test writes: empty, smaller than a frame, many frames, and one streamed
  // in awkward pieces.
  struct Written {
    std::vector<std::string> contents;
    std::vector<IndexEntry> entries;
  };
  Written WriteFour(PackWriter* w) {
    Written out;
    out.contents = {"", "tiny object, smaller than one frame", Mixed(kFrame * 9 + 123, 1),
                    test::RandomBytes(kFrame * 3, 2)};
    const format::ObjectType types[] = {format::ObjectType::kData, format::ObjectType::kTree,
                                        format::ObjectType::kData, format::ObjectType::kSignature};
    for (size_t i = 0; i < 3; i++) {
      auto e = w->WriteObject(types[i], IdOf(out.contents[i], 'a'), out.contents[i], kLog2);
      EXPECT_TRUE(e.ok()) << e.status().message();
      out.entries.push_back(*e);
    }
    // Streamed: 1 byte, then pieces that straddle frame boundaries, then an empty append.
    EXPECT_TRUE(w->BeginObject(types[3], kLog2).ok());
    const std::string& s = out.contents[3];
    size_t pos = 0;
    for (size_t piece : {size_t{1}, kFrame - 1, size_t{1}, kFrame + 7, size_t{0}, kFrame - 7 - 1}) {
      EXPECT_TRUE(w->Append(std::string_view(s).substr(pos, piece)).ok());
      pos += piece;
    }
    EXPECT_EQ(pos, s.size());
    auto e = w->FinishObject(IdOf(s, 'a'));
    EXPECT_TRUE(e.ok()) << e.status().message();
    out.entries.push_back(*e);
    return out;
  }

  Env* env_ = Env::Default();
  test::TempDir dir_;
  FrameCodec codec_{3};
};

TEST_F(PackTest, SealedPackLayoutMatchesFormat) {
  auto w = NewWriter();
  Written wr = WriteFour(w.get());
  ASSERT_TRUE(w->Flush().ok());
  std::vector<IndexEntry> sealed = w->TakeSealedEntries();
  ASSERT_EQ(sealed.size(), 4u);
  EXPECT_TRUE(w->TakeSealedEntries().empty());

  const PackId pack = sealed[0].pack;
  uint64_t expect_offset = format::kPackHeaderSize;
  for (size_t i = 0; i < 4; i++) {
    const IndexEntry& e = sealed[i];
    EXPECT_EQ(e.id, wr.entries[i].id);
    EXPECT_EQ(e.pack, pack);
    EXPECT_EQ(e.offset, expect_offset) << i;
    EXPECT_EQ(e.raw_size, wr.contents[i].size());
    EXPECT_EQ(e.frame_log2, kLog2);
    EXPECT_EQ(e.FrameCount(), (wr.contents[i].size() + kFrame - 1) / kFrame);
    expect_offset += e.stored_len;
  }
  EXPECT_EQ(sealed[0].stored_len, 0u);  // the empty object has no frames
  EXPECT_EQ(sealed[1].type, format::ObjectType::kTree);
  EXPECT_EQ(sealed[3].type, format::ObjectType::kSignature);
  EXPECT_NE(sealed[2].salt, sealed[3].salt);

  // File bytes, independently of the reader.
  const std::string path = PackFile(pack);
  const std::string hex = PackIdHex(pack);
  EXPECT_EQ(path, dir_.path() + "/packs/" + hex.substr(0, 2) + "/" + hex + ".pack");
  const std::string file = test::ReadFile(path);
  ASSERT_EQ(file.size(), expect_offset + 4 * 96 + 64);
  EXPECT_EQ(w->bytes_sealed(), file.size());
  EXPECT_EQ(file.substr(0, 8), "\x89STRPAK\n");
  EXPECT_EQ(Le32(file, 8), 2u);  // pack format version 2 (strata-store(5))
  EXPECT_EQ(Le32(file, 12), 0u);
  const std::string index = file.substr(expect_offset, 4 * 96);
  for (size_t i = 0; i < 4; i++) {
    std::string enc;
    sealed[i].EncodeTo(&enc);
    EXPECT_EQ(index.substr(i * 96, 96), enc) << i;
  }
  const std::string footer = file.substr(file.size() - 64);
  EXPECT_EQ(Le64(footer, 0), expect_offset);
  EXPECT_EQ(Le64(footer, 8), 4u);
  EXPECT_EQ(footer.substr(16, 32), test::Blake2b256(index));
  EXPECT_EQ(Le64(footer, 48), 0u);
  EXPECT_EQ(footer.substr(56), "\x89STREND\n");

  // Each object ends with its frame table: one u32le stored size per frame, covering the frames exactly.
  for (size_t i = 0; i < 4; i++) {
    const IndexEntry& e = sealed[i];
    uint64_t frames = e.FrameCount();
    uint64_t sum = 0;
    for (uint64_t f = 0; f < frames; f++) sum += Le32(file, e.offset + e.stored_len - 4 * frames + 4 * f);
    EXPECT_EQ(sum + 4 * frames, e.stored_len) << i;
  }
  // The incompressible object is stored raw: its bytes appear in the pack frame by frame.
  EXPECT_NE(file.find(wr.contents[3].substr(kFrame, kFrame)), std::string::npos);
  // Nothing is left under tmp/.
  EXPECT_EQ(CountFiles(dir_.Join("tmp")), 0u);
}

TEST_F(PackTest, ReadBackWholeObjectsAndSingleFrames) {
  auto w = NewWriter();
  Written wr = WriteFour(w.get());
  ASSERT_TRUE(w->Flush().ok());
  std::vector<IndexEntry> sealed = w->TakeSealedEntries();
  ASSERT_EQ(sealed.size(), 4u);

  auto r = NewReader();
  for (size_t i = 0; i < 4; i++) {
    auto obj = r->ReadObject(sealed[i], UINT64_MAX);
    ASSERT_TRUE(obj.ok()) << i << ": " << obj.status().message();
    EXPECT_EQ(*obj, wr.contents[i]) << i;

    auto table = r->ReadFrameTable(sealed[i]);
    ASSERT_TRUE(table.ok()) << table.status().message();
    const uint64_t frames = sealed[i].FrameCount();
    ASSERT_EQ(table->offsets.size(), frames + 1);
    EXPECT_EQ(table->offsets.front(), sealed[i].offset);
    EXPECT_EQ(table->offsets.back(), sealed[i].offset + sealed[i].stored_len - 4 * frames);
    // Frames out of order, last first.
    for (uint64_t f = frames; f-- > 0;) {
      std::string frame;
      Status s = r->ReadFrame(sealed[i], *table, f, &frame);
      ASSERT_TRUE(s.ok()) << s.message();
      EXPECT_EQ(frame, wr.contents[i].substr(f * kFrame, kFrame)) << i << " frame " << f;
    }
  }
  // Objects above the caller's limit are refused before anything is read.
  auto big = r->ReadObject(sealed[2], sealed[2].raw_size - 1);
  EXPECT_TRUE(big.status().IsCorruption());
  EXPECT_TRUE(r->ReadObject(sealed[2], sealed[2].raw_size).ok());
}

// strata sync between stores with the same keys: an object's stored bytes go into another pack unchanged,
// and read back there, through the new entry, as the original content.
TEST_F(PackTest, CopiedObjectsReadBackFromTheirNewPack) {
  auto w = NewWriter();
  Written wr = WriteFour(w.get());
  ASSERT_TRUE(w->Flush().ok());
  std::vector<IndexEntry> sealed = w->TakeSealedEntries();
  auto r = NewReader();
  test::TempDir other;
  ASSERT_TRUE(env_->CreateDir(other.Join("tmp")).ok());
  ASSERT_TRUE(env_->CreateDir(other.Join("packs")).ok());
  PackWriter copier(env_, other.path(), &codec_, 64 << 20);
  std::vector<IndexEntry> copies;
  for (const IndexEntry& e : sealed) {
    auto copied = copier.CopyObject(
        e, [&](uint64_t at, size_t n, std::string* out) { return r->ReadStored(e, at, n, out); });
    ASSERT_TRUE(copied.ok()) << copied.status().message();
    EXPECT_EQ(copied->id, e.id);
    EXPECT_EQ(copied->salt, e.salt);
    EXPECT_EQ(copied->stored_len, e.stored_len);
    EXPECT_NE(copied->pack, e.pack);
    copies.push_back(*copied);
  }
  // A read that fails leaves nothing behind: the next object starts where the failed one did.
  auto failed = copier.CopyObject(
      sealed[2], [](uint64_t, size_t, std::string*) { return Status::Corruption("read failed"); });
  EXPECT_TRUE(failed.status().IsCorruption());
  ASSERT_TRUE(copier.Flush().ok());
  EXPECT_EQ(copier.TakeSealedEntries().size(), copies.size());
  PackReader copy_reader(env_, other.path(), &codec_);
  for (size_t i = 0; i < copies.size(); i++) {
    auto obj = copy_reader.ReadObject(copies[i], UINT64_MAX);
    ASSERT_TRUE(obj.ok()) << i << ": " << obj.status().message();
    EXPECT_EQ(*obj, wr.contents[i]) << i;
  }
  // ReadStored stays within the object.
  std::string out;
  EXPECT_TRUE(r->ReadStored(sealed[1], 0, sealed[1].stored_len + 1, &out).IsCorruption());
}

TEST_F(PackTest, ObjectsThatHardlyCompressGetSmallFrames) {
  constexpr uint8_t kBig = kLog2 + 2;
  constexpr size_t kBigFrame = size_t{1} << kBig;
  struct Case {
    std::string content;
    uint8_t expected_log2;
  };
  const std::string text(kBigFrame * 3 + 5, 'x');
  std::vector<Case> cases = {
      {test::RandomBytes(kBigFrame * 3 + 5, 7), kLog2},  // incompressible: small frames
      {text, kBig},                                      // compressible: keeps its frames
      {test::RandomBytes(kBigFrame - 1, 8), kBig},       // no full first frame: one frame
      {test::RandomBytes(kBigFrame, 9) + text, kLog2},   // only the first frame decides
      {std::string(kBigFrame, '\0') + test::RandomBytes(kBigFrame, 10), kBig},  // a hole compresses
  };
  auto w = NewWriter();
  for (const Case& c : cases) {
    // Streamed in pieces smaller than a frame and in pieces of several frames (as the backup writer
    // appends), and in one piece.
    for (size_t piece : {kFrame + 3, kBigFrame * 2 + 1, c.content.size()}) {
      ASSERT_TRUE(w->BeginObject(format::ObjectType::kData, kBig, kLog2).ok());
      for (size_t pos = 0; pos < c.content.size(); pos += piece) {
        ASSERT_TRUE(w->Append(std::string_view(c.content).substr(pos, piece)).ok());
      }
      ASSERT_TRUE(w->FinishObject(IdOf(c.content, 's')).ok());
    }
  }
  ASSERT_TRUE(w->Flush().ok());
  std::vector<IndexEntry> sealed = w->TakeSealedEntries();
  ASSERT_EQ(sealed.size(), cases.size() * 3);
  auto r = NewReader();
  for (size_t i = 0; i < sealed.size(); i++) {
    const Case& c = cases[i / 3];
    EXPECT_EQ(sealed[i].frame_log2, c.expected_log2) << i;
    EXPECT_EQ(sealed[i].raw_size, c.content.size()) << i;
    auto obj = r->ReadObject(sealed[i], UINT64_MAX);
    ASSERT_TRUE(obj.ok()) << i << ": " << obj.status().message();
    EXPECT_TRUE(*obj == c.content) << i;
  }
}

TEST_F(PackTest, ReadTrailerReturnsExactlyTheEntries) {
  auto w = NewWriter();
  WriteFour(w.get());
  ASSERT_TRUE(w->Flush().ok());
  std::vector<IndexEntry> sealed = w->TakeSealedEntries();
  auto r = NewReader();
  auto trailer = r->ReadTrailer(sealed[0].pack);
  ASSERT_TRUE(trailer.ok()) << trailer.status().message();
  ASSERT_EQ(trailer->size(), sealed.size());
  for (size_t i = 0; i < sealed.size(); i++) {
    std::string a, b;
    sealed[i].EncodeTo(&a);
    (*trailer)[i].EncodeTo(&b);
    EXPECT_EQ(a, b) << i;
  }
}

TEST_F(PackTest, AbortedObjectInBufferLeavesNoTrace) {
  auto w = NewWriter();
  const std::string a = Mixed(5000, 3);
  const std::string aborted = test::RandomBytes(3 * kFrame + 5, 4);
  const std::string c = test::RandomBytes(2 * kFrame + 1, 5);
  auto ea = w->WriteObject(format::ObjectType::kData, IdOf(a, 'x'), a, kLog2);
  ASSERT_TRUE(ea.ok());
  ASSERT_TRUE(w->BeginObject(format::ObjectType::kData, kLog2).ok());
  ASSERT_TRUE(w->Append(aborted).ok());
  ASSERT_TRUE(w->AbortObject().ok());
  auto ec = w->WriteObject(format::ObjectType::kData, IdOf(c, 'x'), c, kLog2);
  ASSERT_TRUE(ec.ok());
  ASSERT_TRUE(w->Flush().ok());
  std::vector<IndexEntry> sealed = w->TakeSealedEntries();
  ASSERT_EQ(sealed.size(), 2u);
  EXPECT_EQ(sealed[1].offset, sealed[0].offset + sealed[0].stored_len);
  // The aborted object's partial frame state must not leak into the next one.
  EXPECT_EQ(sealed[1].raw_size, c.size());

  const std::string file = test::ReadFile(PackFile(sealed[0].pack));
  EXPECT_EQ(file.size(), 16 + sealed[0].stored_len + sealed[1].stored_len + 2 * 96 + 64);
  EXPECT_EQ(file.find(aborted.substr(0, 256)), std::string::npos);
  EXPECT_EQ(file.find(aborted.substr(2 * kFrame, 256)), std::string::npos);

  auto r = NewReader();
  EXPECT_EQ(*r->ReadObject(sealed[0], UINT64_MAX), a);
  EXPECT_EQ(*r->ReadObject(sealed[1], UINT64_MAX), c);
}

TEST_F(PackTest, AbortedObjectAlreadyOnDiskIsTruncatedAway) {
  // More than the writer's 4 MiB buffer, so part of the object has reached the file before the abort.
  auto w = NewWriter();
  const std::string a = test::RandomBytes(100, 6);
  const std::string aborted = test::RandomBytes((5 << 20) + 3, 7);
  const std::string c = Mixed(3 * kFrame, 8);
  auto ea = w->WriteObject(format::ObjectType::kData, IdOf(a, 'x'), a, kLog2);
  ASSERT_TRUE(ea.ok());
  ASSERT_TRUE(w->BeginObject(format::ObjectType::kData, 20).ok());
  ASSERT_TRUE(w->Append(aborted).ok());
  // The temporary pack really holds part of the object now.
  std::string tmp_file;
  for (const auto& e : std::filesystem::directory_iterator(dir_.Join("tmp"))) tmp_file = e.path();
  ASSERT_FALSE(tmp_file.empty());
  ASSERT_GT(std::filesystem::file_size(tmp_file), uint64_t{4} << 20);
  ASSERT_TRUE(w->AbortObject().ok());
  EXPECT_EQ(std::filesystem::file_size(tmp_file), 16 + ea->stored_len);

  auto ec = w->WriteObject(format::ObjectType::kData, IdOf(c, 'x'), c, kLog2);
  ASSERT_TRUE(ec.ok());
  EXPECT_EQ(ec->offset, 16 + ea->stored_len);
  ASSERT_TRUE(w->Flush().ok());
  std::vector<IndexEntry> sealed = w->TakeSealedEntries();
  ASSERT_EQ(sealed.size(), 2u);
  const std::string file = test::ReadFile(PackFile(sealed[0].pack));
  EXPECT_EQ(file.size(), 16 + sealed[0].stored_len + sealed[1].stored_len + 2 * 96 + 64);
  EXPECT_EQ(file.find(aborted.substr(1 << 20, 256)), std::string::npos);
  auto r = NewReader();
  EXPECT_EQ(*r->ReadObject(sealed[0], UINT64_MAX), a);
  EXPECT_EQ(*r->ReadObject(sealed[1], UINT64_MAX), c);
  auto trailer = r->ReadTrailer(sealed[0].pack);
  ASSERT_TRUE(trailer.ok()) << trailer.status().message();
  EXPECT_EQ(trailer->size(), 2u);
}

TEST_F(PackTest, AbortOnlyObjectThenFlushWritesNoPack) {
  auto w = NewWriter();
  ASSERT_TRUE(w->BeginObject(format::ObjectType::kData, kLog2).ok());
  ASSERT_TRUE(w->Append("doomed").ok());
  ASSERT_TRUE(w->AbortObject().ok());
  ASSERT_TRUE(w->Flush().ok());
  EXPECT_TRUE(w->TakeSealedEntries().empty());
  EXPECT_EQ(w->bytes_sealed(), 0u);
  EXPECT_EQ(CountFiles(dir_.path()), 0u);
}

TEST_F(PackTest, UnsealedPackIsRemovedByDestructor) {
  {
    auto w = NewWriter();
    ASSERT_TRUE(w->WriteObject(format::ObjectType::kData, IdOf("x", 'x'), "x", kLog2).ok());
    EXPECT_EQ(CountFiles(dir_.Join("tmp")), 1u);
  }
  EXPECT_EQ(CountFiles(dir_.path()), 0u);
}

TEST_F(PackTest, PacksAreSealedAtTargetSize) {
  auto w = NewWriter(20000);
  std::vector<std::string> contents;
  std::vector<IndexEntry> got;
  for (int i = 0; i < 5; i++) {
    contents.push_back(test::RandomBytes(12000, 100 + i));
    auto e = w->WriteObject(format::ObjectType::kData, IdOf(contents.back(), 'p'), contents.back(), kLog2);
    ASSERT_TRUE(e.ok());
  }
  // Objects 0+1 and 2+3 crossed the target: two packs are sealed without Flush.
  std::vector<IndexEntry> early = w->TakeSealedEntries();
  ASSERT_EQ(early.size(), 4u);
  ASSERT_TRUE(w->Flush().ok());
  std::vector<IndexEntry> late = w->TakeSealedEntries();
  ASSERT_EQ(late.size(), 1u);
  got = early;
  got.push_back(late[0]);
  EXPECT_EQ(got[0].pack, got[1].pack);
  EXPECT_EQ(got[2].pack, got[3].pack);
  EXPECT_NE(got[1].pack, got[2].pack);
  EXPECT_NE(got[3].pack, got[4].pack);
  EXPECT_EQ(got[2].offset, 16u);
  EXPECT_EQ(got[4].offset, 16u);
  uint64_t total = 0;
  for (const PackId& p : {got[0].pack, got[2].pack, got[4].pack})
    total += std::filesystem::file_size(PackFile(p));
  EXPECT_EQ(w->bytes_sealed(), total);
  auto r = NewReader();
  for (size_t i = 0; i < 5; i++) EXPECT_EQ(*r->ReadObject(got[i], UINT64_MAX), contents[i]);
}

TEST_F(PackTest, ReaderServesMorePacksThanItKeepsOpen) {
  // The reader keeps at most 128 packs open; reading 140 packs round-robin twice exercises eviction.
  auto w = NewWriter(1);  // every object seals its own pack
  std::vector<IndexEntry> entries;
  std::vector<std::string> contents;
  for (int i = 0; i < 140; i++) {
    contents.push_back("object number " + std::to_string(i));
    ASSERT_TRUE(
        w->WriteObject(format::ObjectType::kData, IdOf(contents.back(), 'm'), contents.back(), kLog2).ok());
  }
  entries = w->TakeSealedEntries();
  ASSERT_EQ(entries.size(), 140u);
  auto r = NewReader();
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < entries.size(); i++) {
      auto got = r->ReadObject(entries[i], UINT64_MAX);
      ASSERT_TRUE(got.ok()) << got.status().message();
      EXPECT_EQ(*got, contents[i]);
    }
  }
}

TEST_F(PackTest, ConcurrentReaders) {
  auto w = NewWriter(40000);
  std::vector<std::string> contents;
  for (int i = 0; i < 12; i++) {
    contents.push_back(Mixed(kFrame * 3 + 100 * i, 200 + i));
    ASSERT_TRUE(
        w->WriteObject(format::ObjectType::kData, IdOf(contents.back(), 'c'), contents.back(), kLog2).ok());
  }
  ASSERT_TRUE(w->Flush().ok());
  const std::vector<IndexEntry> entries = w->TakeSealedEntries();
  ASSERT_EQ(entries.size(), 12u);
  auto r = NewReader();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 60; i++) {
        size_t k = (i * 5 + t) % entries.size();
        auto got = r->ReadObject(entries[k], UINT64_MAX);
        if (!got.ok() || *got != contents[k]) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// Damage a sealed pack and read it with a fresh reader (readers cache open files and their sizes).
class PackDamageTest : public PackTest {
 protected:
  void SetUp() override {
    PackTest::SetUp();
    auto w = NewWriter();
    a_ = Mixed(2 * kFrame + 10, 11);
    b_ = test::RandomBytes(kFrame + 1, 12);
    ASSERT_TRUE(w->WriteObject(format::ObjectType::kData, IdOf(a_, 'd'), a_, kLog2).ok());
    ASSERT_TRUE(w->WriteObject(format::ObjectType::kData, IdOf(b_, 'd'), b_, kLog2).ok());
    ASSERT_TRUE(w->Flush().ok());
    entries_ = w->TakeSealedEntries();
    ASSERT_EQ(entries_.size(), 2u);
    path_ = PackFile(entries_[0].pack);
    good_ = test::ReadFile(path_);
  }

  Result<std::vector<IndexEntry>> TrailerOf(const std::string& bytes) {
    test::WriteFile(path_, bytes);
    return NewReader()->ReadTrailer(entries_[0].pack);
  }

  // Rewrites the trailer entry `i` through `edit` and fixes the trailer checksum, so only the
  // entry-level validation can object.
  template <typename Edit>
  std::string WithEditedEntry(size_t i, Edit edit) {
    std::string bytes = good_;
    const uint64_t index_offset = Le64(bytes, bytes.size() - 64);
    std::string entry = bytes.substr(index_offset + i * 96, 96);
    edit(&entry);
    bytes.replace(index_offset + i * 96, 96, entry);
    const std::string index = bytes.substr(index_offset, bytes.size() - 64 - index_offset);
    bytes.replace(bytes.size() - 64 + 16, 32, test::Blake2b256(index));
    return bytes;
  }

  std::string a_, b_;
  std::vector<IndexEntry> entries_;
  std::string path_;
  std::string good_;
};

TEST_F(PackDamageTest, IntactPackReads) {
  auto t = TrailerOf(good_);
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->size(), 2u);
}

TEST_F(PackDamageTest, TruncatedPackIsCorruption) {
  for (size_t cut : {size_t{1}, size_t{8}, size_t{63}, size_t{64}, size_t{65}, size_t{96}, size_t{200}}) {
    auto t = TrailerOf(good_.substr(0, good_.size() - cut));
    EXPECT_TRUE(t.status().IsCorruption()) << cut << ": " << t.status().message();
  }
  for (size_t len : {size_t{0}, size_t{15}, size_t{16}, size_t{79}}) {
    auto t = TrailerOf(good_.substr(0, len));
    EXPECT_TRUE(t.status().IsCorruption()) << len;
  }
}

TEST_F(PackDamageTest, FlippedTrailerOrFooterByteIsCorruption) {
  const uint64_t index_offset = Le64(good_, good_.size() - 64);
  for (size_t pos = index_offset; pos < good_.size(); pos++) {
    const size_t in_footer = pos - (good_.size() - 64);
    if (pos >= good_.size() - 64 && in_footer >= 48 && in_footer < 56) continue;  // reserved: see below
    std::string bad = good_;
    bad[pos] ^= 0x01;
    auto t = TrailerOf(bad);
    ASSERT_TRUE(t.status().IsCorruption()) << "byte " << pos << " of " << good_.size();
    EXPECT_NE(t.status().message().find(PackIdHex(entries_[0].pack)), std::string::npos);
  }
}

TEST_F(PackDamageTest, BadMagicIsCorruption) {
  std::string bad = good_;
  bad[1] = 'X';
  EXPECT_TRUE(TrailerOf(bad).status().IsCorruption());
  bad = good_;
  bad[good_.size() - 1] = 'X';
  EXPECT_TRUE(TrailerOf(bad).status().IsCorruption());
  bad = good_;
  bad[8] = static_cast<char>(format::kPackVersion + 1);  // a newer pack version
  EXPECT_EQ(TrailerOf(bad).status().code(), Status::Code::kNotSupported);
}

TEST_F(PackDamageTest, TrailerEntryPointingOutsideIsCorruption) {
  // Well-formed entry, valid checksum, but its object runs into the trailer.
  auto t = TrailerOf(WithEditedEntry(1, [](std::string* e) { SetLe64(e, 72, Le64(*e, 72) + 21); }));
  EXPECT_TRUE(t.status().IsCorruption()) << t.status().message();
  // An entry naming another pack.
  t = TrailerOf(WithEditedEntry(0, [](std::string* e) { (*e)[60] ^= 1; }));
  EXPECT_TRUE(t.status().IsCorruption()) << t.status().message();
  // An entry that fails IndexEntry validation.
  t = TrailerOf(WithEditedEntry(0, [](std::string* e) { (*e)[32] = 9; }));
  EXPECT_TRUE(t.status().IsCorruption()) << t.status().message();
  // Control: the same rewrite without a change is accepted.
  t = TrailerOf(WithEditedEntry(0, [](std::string*) {}));
  EXPECT_TRUE(t.ok()) << t.status().message();
}

TEST_F(PackDamageTest, TrailerEntryPointingIntoHeaderIsCorruption) {
  // Object a starts right after the 16-byte header; moved to offset 0 it overlaps the header. The entry
  // still decodes and ends before the trailer, so only a lower-bound check can catch it.
  auto t = TrailerOf(WithEditedEntry(0, [](std::string* e) { SetLe64(e, 72, 0); }));
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsCorruption()) << t.status().message();
}

TEST_F(PackDamageTest, EntryPointingOutsidePackIsCorruption) {
  auto r = NewReader();
  const uint64_t size = good_.size();
  IndexEntry e = entries_[1];
  e.offset = size + 1;
  EXPECT_TRUE(r->ReadObject(e, UINT64_MAX).status().IsCorruption());
  e.offset = size - e.stored_len + 1;
  EXPECT_TRUE(r->ReadObject(e, UINT64_MAX).status().IsCorruption());
  e.offset = 0;  // inside the pack header
  EXPECT_TRUE(r->ReadObject(e, UINT64_MAX).status().IsCorruption());
  e = entries_[1];
  e.stored_len = size;  // longer than the rest of the file
  EXPECT_TRUE(r->ReadFrameTable(e).status().IsCorruption());
  // Shifted by one byte inside the pack: the frame table no longer adds up or the check fails.
  e = entries_[1];
  e.offset -= 1;
  EXPECT_TRUE(r->ReadObject(e, UINT64_MAX).status().IsCorruption());
  // Wrong salt or wrong size: the frame check catches it.
  e = entries_[0];
  e.salt[0] ^= 1;
  EXPECT_TRUE(r->ReadObject(e, UINT64_MAX).status().IsCorruption());
  e = entries_[0];
  e.raw_size -= 1;
  EXPECT_TRUE(r->ReadObject(e, UINT64_MAX).status().IsCorruption());
  // A pack that does not exist.
  e = entries_[0];
  e.pack[0] ^= 1;
  auto missing = r->ReadObject(e, UINT64_MAX);
  EXPECT_TRUE(missing.status().IsCorruption());
  EXPECT_NE(missing.status().message().find("missing"), std::string::npos);
}

TEST_F(PackDamageTest, DamagedObjectBytesAreCorruption) {
  // Every byte of object a's frames and frame table.
  const IndexEntry& e = entries_[0];
  for (uint64_t pos = e.offset; pos < e.offset + e.stored_len; pos += 37) {
    std::string bad = good_;
    bad[pos] ^= 0x20;
    test::WriteFile(path_, bad);
    auto got = NewReader()->ReadObject(e, UINT64_MAX);
    EXPECT_TRUE(got.status().IsCorruption()) << pos;
  }
  // Frame table entry grown by one: sizes no longer cover the object.
  std::string bad = good_;
  const uint64_t table = e.offset + e.stored_len - 4 * e.FrameCount();
  bad[table] = static_cast<char>(bad[table] + 1);
  test::WriteFile(path_, bad);
  EXPECT_TRUE(NewReader()->ReadFrameTable(e).status().IsCorruption());
}

}  // namespace
}  // namespace strata
