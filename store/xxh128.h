// XXH3-128 for checks that guard against damage, not forgery: frame checks and block-cache values. It
// runs over every byte read or written, where a cryptographic hash cost as much as decompression.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace strata {

using Xxh128Digest = std::array<unsigned char, 16>;

// XXH3-128 of the concatenated parts, in canonical form (high 64 bits then low 64 bits, big-endian).
Xxh128Digest Xxh128(std::initializer_list<std::string_view> parts, uint64_t seed = 0);

}  // namespace strata
