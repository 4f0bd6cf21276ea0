#include "src/version.h"

namespace strata {
const char* Version() { return "0.1.0"; }
}  // namespace strata
