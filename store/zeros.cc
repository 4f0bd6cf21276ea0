#include "store/zeros.h"

#include <cstring>

namespace strata {

bool IsAllZero(std::string_view bytes) {
  static const char kZeros[4096] = {};
  while (!bytes.empty()) {
    size_t n = std::min(bytes.size(), sizeof kZeros);
    if (std::memcmp(bytes.data(), kZeros, n) != 0) return false;
    bytes.remove_prefix(n);
  }
  return true;
}

}  // namespace strata
