#pragma once

namespace strata {
// The program version, as `strata --version` prints it.
const char* Version();
}  // namespace strata
