// The store's checksums recomputed from their definitions in strata-store(5), so a fuzz target can turn
// a mutated input into one whose checksum is right and reach the parsing behind it: random bytes almost
// never carry a valid BLAKE2b sum.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/frame_codec.h"

namespace strata::fuzz {

// `bytes` with its last 32 bytes replaced by BLAKE2b-256 of everything before them (header, index files,
// manifests). Inputs shorter than that come back unchanged.
std::string WithTrailingChecksum(std::string_view bytes);

// For the files framed as magic(8) || version(4) || body_len(4) || body || checksum(32) (the header,
// manifests): `bytes` with body_len set to what the size implies and the checksum made valid.
std::string WithFramingFixed(std::string_view bytes);

// H128(salt || u32(index) || u32(raw_len) || encoded), where encoded is the encoding byte and the body.
std::string FrameCheck(const Salt& salt, uint32_t index, uint32_t raw_len, std::string_view encoded);

}  // namespace strata::fuzz
