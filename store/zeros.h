// All-zero detection: holes in sparse files arrive as runs of zeros, and every layer short-cuts them
// (zero frames, precomputed block digests, holes left unwritten at restore).
#pragma once

#include <string_view>

namespace strata {

bool IsAllZero(std::string_view bytes);

}  // namespace strata
