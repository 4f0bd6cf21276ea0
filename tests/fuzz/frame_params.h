// The fixed context the frame_codec fuzz target decodes every input in, shared with the seed generator
// so that its seeds are valid frames in that context.
#pragma once

#include <cstdint>

#include "store/frame_codec.h"

namespace strata::fuzz {

inline constexpr Salt kFrameSalt = {0x5a, 0x17, 0x2a, 0x03, 0x99, 0x41, 0xe0, 0x7c,
                                    0x10, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
inline constexpr uint32_t kFrameIndex = 3;
inline constexpr uint32_t kFrameRawLen = 4096;  // the smallest frame size a store may use

}  // namespace strata::fuzz
