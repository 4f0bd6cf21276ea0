// The password-to-key step of an encrypted store: Argon2id (libsodium crypto_pwhash, ALG_ARGON2ID13)
// turns a password, a random salt and two cost parameters into the key-encryption key (KEK) that wraps
// the store's master key. The parameters live in the store header, so each store keeps the strength it
// was made with and a later `key passwd` may choose another.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "store/format.h"
#include "store/secret_bytes.h"
#include "store/status.h"

namespace strata {

struct KdfParams {
  uint32_t opslimit = 0;  // Argon2 passes
  uint64_t memlimit = 0;  // bytes, a multiple of 1 KiB
  std::array<uint8_t, format::kKdfSaltSize> salt{};

  // Within the bounds a header may carry (format.h, strata-store(5)).
  bool InRange() const;
};

// libsodium's presets (argon2id): interactive 2 passes / 64 MiB, moderate 3 / 256 MiB, sensitive
// 4 / 1 GiB. Minimum (1 / 8 KiB) is for tests only: it protects nothing.
enum class KdfStrength { kMinimum, kInteractive, kModerate, kSensitive };
inline constexpr KdfStrength kDefaultKdfStrength = KdfStrength::kModerate;

// "minimum", "interactive", "moderate", "sensitive"; anything else is InvalidArgument.
Result<KdfStrength> ParseKdfStrength(std::string_view name);
std::string_view KdfStrengthName(KdfStrength strength);

// The costs of `strength` with a fresh random salt.
KdfParams NewKdfParams(KdfStrength strength);

// The 32-byte KEK. Fails (IOError) only when Argon2id cannot get its memory.
Result<SecretBytes> DeriveKek(const SecretBytes& password, const KdfParams& params);

}  // namespace strata
