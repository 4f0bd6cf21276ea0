#include "store/xxh128.h"

#include <xxhash.h>

#include <cstring>
#include <new>

namespace strata {
namespace {

struct State {
  XXH3_state_t* state = XXH3_createState();
  ~State() { XXH3_freeState(state); }
};

}  // namespace

Xxh128Digest Xxh128(std::initializer_list<std::string_view> parts, uint64_t seed) {
  thread_local State s;
  if (s.state == nullptr) throw std::bad_alloc();
  XXH3_128bits_reset_withSeed(s.state, seed);
  for (std::string_view p : parts) XXH3_128bits_update(s.state, p.data(), p.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(s.state));
  Xxh128Digest out;
  std::memcpy(out.data(), canonical.digest, out.size());
  return out;
}

}  // namespace strata
