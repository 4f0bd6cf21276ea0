// The store header file (STORE/strata-store): magic, format version, store UUID and the parameters every
// writer must use. See strata-store(5), "Header".
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/status.h"

namespace strata {

struct StoreParams {
  uint8_t data_frame_log2 = 17;  // 128 KiB: a FUSE read (128 KiB readahead) decodes one or two frames
  int32_t zstd_level = 3;
  uint32_t max_chain = 32;  // longest delta chain before a FULL is forced
  uint64_t pack_target_size = 64ull << 20;
};

struct StoreHeader {
  uint32_t version = 1;
  std::array<uint8_t, 16> uuid{};
  StoreParams params;
  uint8_t encryption = 0;  // 0 = none (the only v1 value)

  std::string UuidString() const;  // 8-4-4-4-12 lowercase hex
  std::string Encode() const;
  // `what` names the file in errors. Rejects bad magic, newer versions, truncation, checksum mismatch and
  // out-of-range parameters.
  static Result<StoreHeader> Decode(std::string_view bytes, const std::string& what);
};

}  // namespace strata
