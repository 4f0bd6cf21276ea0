// BLAKE2b (libsodium crypto_generichash) for content hashes, object ids and file checksums.
// A key may be given so that, once stores are encrypted, ids reveal nothing about content.
#pragma once

#include <sodium.h>

#include <string>
#include <string_view>

#include "store/object_id.h"

namespace strata {

// Must run once before any libsodium call; safe to call repeatedly from any thread.
void InitSodium();

class Hasher {
 public:
  // `key` empty means unkeyed; otherwise 16..64 bytes.
  explicit Hasher(std::string_view key = {}, size_t out_len = ObjectId::kSize);
  void Update(std::string_view bytes);
  ObjectId Finish();        // out_len must be 32
  std::string FinishRaw();  // out_len bytes

 private:
  crypto_generichash_state state_;
  size_t out_len_;
};

ObjectId HashBytes(std::string_view bytes, std::string_view key = {});

}  // namespace strata
