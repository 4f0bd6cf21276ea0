// FrameCodec: turns up to 2^frame_log2 raw bytes into one stored frame and back.
//
// Stored frame = encoding byte (0 raw, 1 zstd, 2 all zeros) || body || 16-byte check. The check is
// XXH3-128 over the object's salt, the frame index, the raw length, the encoding byte and the body, so a
// frame that is flipped, swapped with another, moved within its object or truncated fails verification.
// Incompressible frames are stored raw. The 16 bytes are the slot the AEAD tag takes in encrypted stores.
//
// Thread-safe: compression contexts are per thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/format.h"
#include "store/status.h"

namespace strata {

using Salt = std::array<uint8_t, format::kSaltSize>;

Salt RandomSalt();

class FrameCodec {
 public:
  explicit FrameCodec(int zstd_level) : level_(zstd_level) {}

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
};

}  // namespace strata
