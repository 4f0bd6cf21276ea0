// FrameCodec: turns up to 2^frame_log2 raw bytes into one stored frame and back.
//
// Stored frame = encoding byte (0 raw, 1 zstd, 2 all zeros) || body || 16-byte check. The check is
// XXH3-128 over the object's salt, the frame index, the raw length, the encoding byte and the body, so a
// frame that is flipped, swapped with another, moved within its object or truncated fails verification.
// Incompressible frames are stored raw.
//
// In an encrypted store (a StoreCipher given) the frame is encoding byte || 24-byte random nonce ||
// XChaCha20-Poly1305 ciphertext of the body || 16-byte tag, in the check's slot. The associated data is
// what the check covers besides the body (salt, frame index, raw length, encoding byte), so the same
// swaps, moves and truncations fail authentication. Compression runs before encryption.
//
// Thread-safe: compression contexts are per thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/format.h"
#include "store/status.h"
#include "store/store_cipher.h"

namespace strata {

using Salt = std::array<uint8_t, format::kSaltSize>;

Salt RandomSalt();

class FrameCodec {
 public:
  // `cipher` null: a plain store. Otherwise it must outlive the codec.
  explicit FrameCodec(int zstd_level, const StoreCipher* cipher = nullptr)
      : level_(zstd_level), cipher_(cipher) {}

  // Stored bytes of a frame beyond its body: kFrameOverhead, or kSealedFrameOverhead when encrypted.
  const StoreCipher* cipher() const { return cipher_; }
  size_t overhead() const {
    return cipher_ == nullptr ? format::kFrameOverhead : format::kSealedFrameOverhead;
  }

  // Appends the stored form of `raw` to `out`.
  void Encode(std::string_view raw, const Salt& salt, uint32_t frame_index, std::string* out) const;

  // Verifies and decodes one stored frame into `out` (replacing its content). `expected_raw` comes from
  // the index entry; a frame that decodes to any other size is Corruption. `what` names the object in
  // error messages.
  Status Decode(std::string_view stored, const Salt& salt, uint32_t frame_index, size_t expected_raw,
                std::string* out, const std::string& what) const;

  // True if `stored` is a verified all-zero frame (encoding 2, check intact). Lets SEEK_HOLE report holes
  // without materializing their zeros; anything else, damaged frames included, counts as data.
  bool IsZeroFrame(std::string_view stored, const Salt& salt, uint32_t frame_index,
                   size_t expected_raw) const;

 private:
  int level_;
  const StoreCipher* cipher_;
};

}  // namespace strata
