// One pass over a file's content yields both its librsync signature and its content hash.
//
// The signature is librsync's RabinKarp + BLAKE2b format (byte-identical to `rdiff -b B -S 16
// signature`), computed here rather than by a librsync job so that the BLAKE2b-256 of every block serves
// twice: truncated, as the block's strong sum; whole, as a leaf of the content hash
//   content_hash = BLAKE2b-256(u32le block_len || BLAKE2b-256(block 0) || ... || u64le size),
// which costs one BLAKE2b pass over the data instead of two. All-zero blocks (holes of sparse files) use
// digests computed once per builder. See strata-store(5), "Content hashes" and "Signature objects".
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/object_id.h"

namespace strata {

// Bytes of BLAKE2b kept per signature block.
inline constexpr uint32_t kStrongLen = 16;

// Signature (and content hash) block length for a file of `file_size` bytes: a power of two, 1024..65536.
uint32_t ChooseBlockLength(uint64_t file_size);

// The content hash alone, for verifying rebuilt content. Not thread-safe.
class ContentHasher {
 public:
  explicit ContentHasher(uint32_t block_len);
  virtual ~ContentHasher() = default;
  void Update(std::string_view data);
  ObjectId Finish();
  uint32_t block_len() const { return block_len_; }

 protected:
  // Called for every block (the last may be short) with its BLAKE2b-256 and whether it is all zeros.
  virtual void OnBlock(std::string_view block, const uint8_t* digest, bool zero);

 private:
  void Block(std::string_view block);

  uint32_t block_len_;
  uint64_t size_ = 0;
  std::string pending_;  // bytes of the current, incomplete block
  std::array<uint8_t, 32> zero_digest_{};
  crypto_generichash_state outer_;
};

class SignatureBuilder : public ContentHasher {
 public:
  explicit SignatureBuilder(uint32_t block_len);
  // Ends both computations; the builder is spent afterwards.
  std::string FinishSignature(ObjectId* content_hash);

 private:
  void OnBlock(std::string_view block, const uint8_t* digest, bool zero) override;

  std::string signature_;
  uint32_t zero_weak_;
};

}  // namespace strata
