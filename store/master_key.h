// The master key of an encrypted store: 32 random bytes made once by init, kept only wrapped in the
// header (store_key.h), never used directly. Each use gets its own subkey (crypto_kdf_derive_from_key,
// context "strata01"), so a frame key, the object-id key and the cache key are independent and a new use
// never weakens an old one. Changing the password re-wraps this key; nothing derived from it changes.
#pragma once

#include "store/format.h"
#include "store/secret_bytes.h"
#include "store/status.h"

namespace strata {

class MasterKey {
 public:
  static Result<MasterKey> Generate();
  // Takes ownership of exactly format::kKeySize bytes.
  static Result<MasterKey> FromBytes(SecretBytes bytes);

  // The 32-byte subkey for `id` (strata-store(5), "ENCRYPTION KEYS").
  Result<SecretBytes> Subkey(format::SubkeyId id) const;
  const SecretBytes& bytes() const { return key_; }

 private:
  explicit MasterKey(SecretBytes key) : key_(std::move(key)) {}
  SecretBytes key_;
};

}  // namespace strata
