#include "store/signature_builder.h"

#include <gtest/gtest.h>
#include <librsync.h>
#include <sodium.h>

#include <random>
#include <string>

#include "store/coding.h"
#include "store/delta_ops.h"
#include "tests/store/delta_test_util.h"
#include "tests/testutil.h"

namespace strata {
namespace {

std::string Signature(std::string_view data, uint32_t block_len, size_t chunk, ObjectId* hash) {
  SignatureBuilder builder(block_len);
  for (size_t pos = 0; pos < data.size(); pos += chunk) builder.Update(data.substr(pos, chunk));
  return builder.FinishSignature(hash);
}

// The content hash spelled out from its definition in strata-store(5), with libsodium directly.
ObjectId ReferenceContentHash(std::string_view data, uint32_t block_len) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, nullptr, 0, 32);
  std::string len;
  PutFixed32(&len, block_len);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(len.data()), len.size());
  for (size_t pos = 0; pos < data.size(); pos += block_len) {
    std::string_view block = data.substr(pos, block_len);
    unsigned char digest[32];
    crypto_generichash(digest, 32, reinterpret_cast<const unsigned char*>(block.data()), block.size(),
                       nullptr, 0);
    crypto_generichash_update(&st, digest, 32);
  }
  std::string size;
  PutFixed64(&size, data.size());
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(size.data()), size.size());
  ObjectId id;
  crypto_generichash_final(&st, id.bytes.data(), 32);
  return id;
}

// Random data with runs of zeros: whole zero blocks, a zero run across a block boundary, a short zero tail.
std::string HoleyData(size_t size, uint64_t seed) {
  std::string data = test::RandomBytes(size, seed);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 6 && size > 0; i++) {
    size_t start = rng() % size;
    size_t len = std::min(size - start, size_t{1} + rng() % 9000);
    data.replace(start, len, len, '\0');
  }
  if (size > 100) data.replace(size - 100, 100, 100, '\0');
  return data;
}

TEST(ChooseBlockLengthTest, Policy) {
  EXPECT_EQ(ChooseBlockLength(0), 1024u);
  EXPECT_EQ(ChooseBlockLength(1), 1024u);
  EXPECT_EQ(ChooseBlockLength(uint64_t{1} << 20), 1024u);            // sqrt/2 = 512
  EXPECT_EQ(ChooseBlockLength((uint64_t{4096} * 4096) - 1), 1024u);  // sqrt/2 just under 2048
  EXPECT_EQ(ChooseBlockLength(uint64_t{4096} * 4096), 2048u);
  EXPECT_EQ(ChooseBlockLength(uint64_t{100} << 20), 4096u);  // 100 MiB: 25,600 blocks, 0.5 MiB signature
  EXPECT_EQ(ChooseBlockLength(400'000'000), 8192u);
  EXPECT_EQ(ChooseBlockLength(uint64_t{1} << 32), 32768u);
  EXPECT_EQ(ChooseBlockLength(uint64_t{1} << 40), 65536u);
  EXPECT_EQ(ChooseBlockLength(UINT64_MAX), 65536u);
}

TEST(SignatureBuilderTest, ByteIdenticalToRdiff) {
  test::TempDir dir;
  for (uint32_t block_len : {1024u, 4096u}) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{1023}, size_t{1024}, size_t{1025}, size_t{100000}}) {
      for (bool holes : {false, true}) {
        std::string data = holes ? HoleyData(size, size + 7) : test::RandomBytes(size, size);
        ObjectId hash;
        std::string sig = Signature(data, block_len, 777, &hash);
        auto header = ParseSignatureHeader(sig);
        ASSERT_TRUE(header.ok());
        EXPECT_EQ(header->magic, static_cast<uint32_t>(RS_RK_BLAKE2_SIG_MAGIC));
        EXPECT_EQ(header->block_len, block_len);
        EXPECT_EQ(header->strong_len, kStrongLen);
        test::WriteFile(dir.Join("data"), data);
        ASSERT_TRUE(test::Shell("rdiff -f -b " + std::to_string(block_len) + " -S 16 signature " +
                                dir.Join("data") + " " + dir.Join("sig")));
        EXPECT_TRUE(test::ReadFile(dir.Join("sig")) == sig) << size << " holes=" << holes;
      }
    }
  }
}

TEST(SignatureBuilderTest, AllZeroBlocksMatchRdiff) {
  test::TempDir dir;
  std::string data(5 * 1024 + 300, '\0');
  ObjectId hash;
  std::string sig = Signature(data, 1024, 4096, &hash);
  test::WriteFile(dir.Join("data"), data);
  ASSERT_TRUE(test::Shell("rdiff -f -b 1024 -S 16 signature " + dir.Join("data") + " " + dir.Join("sig")));
  EXPECT_TRUE(test::ReadFile(dir.Join("sig")) == sig);
  EXPECT_EQ(hash, ReferenceContentHash(data, 1024));
}

TEST(ContentHasherTest, MatchesDefinitionWhateverTheChunking) {
  for (size_t size : {size_t{0}, size_t{5}, size_t{1024}, size_t{70001}}) {
    std::string data = HoleyData(size, size);
    ObjectId want = ReferenceContentHash(data, 1024);
    for (size_t chunk : {size_t{1}, size_t{1000}, size_t{1024}, size_t{65536}}) {
      ContentHasher h(1024);
      for (size_t pos = 0; pos < data.size(); pos += chunk)
        h.Update(std::string_view(data).substr(pos, chunk));
      EXPECT_EQ(h.Finish(), want) << size << "/" << chunk;
    }
    ObjectId from_sig;
    Signature(data, 1024, 333, &from_sig);
    EXPECT_EQ(from_sig, want);
  }
}

TEST(ContentHasherTest, DiffersWithContentSizeAndBlockLength) {
  std::string a(3000, 'a');
  std::string b = a;
  b[2999] = 'b';
  EXPECT_NE(ReferenceContentHash(a, 1024), ReferenceContentHash(b, 1024));
  ContentHasher h1(1024), h2(2048), h3(1024);
  h1.Update(a);
  h2.Update(a);
  h3.Update(a + '\0');
  ObjectId x = h1.Finish();
  EXPECT_NE(x, h2.Finish());
  EXPECT_NE(x, h3.Finish());
}

}  // namespace
}  // namespace strata
