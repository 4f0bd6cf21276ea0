#include "store/hash.h"

#include <cstdlib>
#include <mutex>

namespace strata {

void InitSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) std::abort();  // no usable randomness source: nothing safe can run
  });
}

Hasher::Hasher(std::string_view key, size_t out_len) : out_len_(out_len) {
  InitSodium();
  crypto_generichash_init(&state_, reinterpret_cast<const unsigned char*>(key.data()), key.size(), out_len);
}

void Hasher::Update(std::string_view bytes) {
  crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

ObjectId Hasher::Finish() {
  ObjectId id;
  crypto_generichash_final(&state_, id.bytes.data(), id.bytes.size());
  return id;
}

std::string Hasher::FinishRaw() {
  std::string out(out_len_, '\0');
  crypto_generichash_final(&state_, reinterpret_cast<unsigned char*>(out.data()), out.size());
  return out;
}

ObjectId HashBytes(std::string_view bytes, std::string_view key) {
  Hasher h(key);
  h.Update(bytes);
  return h.Finish();
}

}  // namespace strata
