#include "store/signature_builder.h"

#include <librsync.h>

#include <bit>
#include <cmath>

#include "store/coding.h"
#include "store/hash.h"
#include "store/zeros.h"

namespace strata {
namespace {

// Block length policy. Every version stores its signature (20 bytes per block) and every edit costs about
// one block of literal bytes, so the per-version cost S/b*20 + edits*b is smallest near b = sqrt(20*S/edits).
// Half of sqrt(S) is that optimum for a few dozen edit sites, and keeps the signature of a 100 MiB file
// near 0.5 MiB, so a 1-byte edit grows the store by well under 1 MiB. A power of two keeps blocks aligned
// with database pages and filesystem blocks, so rewriting one page in place dirties one block. Below 1024
// the signature and op overhead stop paying for finer matches; above 64 KiB a small edit costs too much.
constexpr uint32_t kMinBlockLength = 1024;
constexpr uint32_t kMaxBlockLength = 65536;

// librsync's RabinKarp rolling checksum (rabinkarp.h): hash = hash * M + byte, seeded with 1, mod 2^32.
constexpr uint32_t kRkSeed = 1;
constexpr uint32_t kRkMult = 0x08104225U;

uint32_t Power(uint32_t base, uint64_t exp) {
  uint32_t result = 1;
  while (exp > 0) {
    if (exp & 1) result *= base;
    base *= base;
    exp >>= 1;
  }
  return result;
}

uint32_t RabinKarp(std::string_view block) {
  // Eight bytes per step with precomputed powers, so the multiplications do not form one serial chain.
  static const uint32_t kPow[9] = {1,
                                   kRkMult,
                                   Power(kRkMult, 2),
                                   Power(kRkMult, 3),
                                   Power(kRkMult, 4),
                                   Power(kRkMult, 5),
                                   Power(kRkMult, 6),
                                   Power(kRkMult, 7),
                                   Power(kRkMult, 8)};
  uint32_t hash = kRkSeed;
  const auto* p = reinterpret_cast<const uint8_t*>(block.data());
  size_t n = block.size();
  while (n >= 8) {
    hash = hash * kPow[8] + p[0] * kPow[7] + p[1] * kPow[6] + p[2] * kPow[5] + p[3] * kPow[4] +
           p[4] * kPow[3] + p[5] * kPow[2] + p[6] * kPow[1] + p[7];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) hash = hash * kRkMult + *p++;
  return hash;
}

void PutBigEndian32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((v >> shift) & 0xff));
}

}  // namespace

uint32_t ChooseBlockLength(uint64_t file_size) {
  auto half_root = static_cast<uint64_t>(std::sqrt(static_cast<double>(file_size)) / 2);
  if (half_root < kMinBlockLength) return kMinBlockLength;
  return static_cast<uint32_t>(std::min<uint64_t>(std::bit_floor(half_root), kMaxBlockLength));
}

ContentHasher::ContentHasher(uint32_t block_len) : block_len_(block_len) {
  InitSodium();
  std::string zeros(block_len, '\0');
  crypto_generichash(zero_digest_.data(), zero_digest_.size(),
                     reinterpret_cast<const unsigned char*>(zeros.data()), zeros.size(), nullptr, 0);
  crypto_generichash_init(&outer_, nullptr, 0, ObjectId::kSize);
  char len[4];
  EncodeFixed32(len, block_len);
  crypto_generichash_update(&outer_, reinterpret_cast<const unsigned char*>(len), sizeof len);
  pending_.reserve(block_len);
}

void ContentHasher::Block(std::string_view block) {
  uint8_t digest[32];
  const bool zero = block.size() == block_len_ && IsAllZero(block);
  if (zero) {
    std::memcpy(digest, zero_digest_.data(), sizeof digest);
  } else {
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(block.data()),
                       block.size(), nullptr, 0);
  }
  crypto_generichash_update(&outer_, digest, sizeof digest);
  OnBlock(block, digest, zero);
}

void ContentHasher::OnBlock(std::string_view, const uint8_t*, bool) {}

void ContentHasher::Update(std::string_view data) {
  size_ += data.size();
  if (!pending_.empty()) {
    size_t take = std::min<size_t>(data.size(), block_len_ - pending_.size());
    pending_.append(data.data(), take);
    data.remove_prefix(take);
    if (pending_.size() < block_len_) return;
    Block(pending_);
    pending_.clear();
  }
  while (data.size() >= block_len_) {
    Block(data.substr(0, block_len_));
    data.remove_prefix(block_len_);
  }
  pending_.assign(data.data(), data.size());
}

ObjectId ContentHasher::Finish() {
  if (!pending_.empty()) Block(pending_);
  pending_.clear();
  char size[8];
  EncodeFixed64(size, size_);
  crypto_generichash_update(&outer_, reinterpret_cast<const unsigned char*>(size), sizeof size);
  ObjectId id;
  crypto_generichash_final(&outer_, id.bytes.data(), id.bytes.size());
  return id;
}

SignatureBuilder::SignatureBuilder(uint32_t block_len)
    : ContentHasher(block_len), zero_weak_(Power(kRkMult, block_len)) {
  PutBigEndian32(&signature_, RS_RK_BLAKE2_SIG_MAGIC);
  PutBigEndian32(&signature_, block_len);
  PutBigEndian32(&signature_, kStrongLen);
}

void SignatureBuilder::OnBlock(std::string_view block, const uint8_t* digest, bool zero) {
  // RabinKarp of n zero bytes from seed 1 is M^n.
  PutBigEndian32(&signature_, zero ? zero_weak_ : RabinKarp(block));
  signature_.append(reinterpret_cast<const char*>(digest), kStrongLen);
}

std::string SignatureBuilder::FinishSignature(ObjectId* content_hash) {
  *content_hash = Finish();
  return std::move(signature_);
}

}  // namespace strata
