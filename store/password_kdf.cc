#include "store/password_kdf.h"

#include <sodium.h>

#include <string>

#include "store/hash.h"

namespace strata {
namespace {

struct Preset {
  KdfStrength strength;
  std::string_view name;
  uint32_t opslimit;
  uint64_t memlimit;
};

constexpr Preset kPresets[] = {
    {KdfStrength::kMinimum, "minimum", crypto_pwhash_argon2id_OPSLIMIT_MIN,
     crypto_pwhash_argon2id_MEMLIMIT_MIN},
    {KdfStrength::kInteractive, "interactive", crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
     crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE},
    {KdfStrength::kModerate, "moderate", crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
     crypto_pwhash_argon2id_MEMLIMIT_MODERATE},
    {KdfStrength::kSensitive, "sensitive", crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE,
     crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE},
};

const Preset& PresetOf(KdfStrength strength) {
  for (const Preset& p : kPresets) {
    if (p.strength == strength) return p;
  }
  return kPresets[0];  // unreachable: every enumerator has a preset
}

}  // namespace

bool KdfParams::InRange() const {
  return opslimit >= format::kKdfMinOps && opslimit <= format::kKdfMaxOps && memlimit >= format::kKdfMinMem &&
         memlimit <= format::kKdfMaxMem && memlimit % 1024 == 0;
}

Result<KdfStrength> ParseKdfStrength(std::string_view name) {
  for (const Preset& p : kPresets) {
    if (p.name == name) return p.strength;
  }
  return Status::InvalidArgument("unknown key derivation strength '" + std::string(name) +
                                 "' (expected interactive, moderate, sensitive or minimum)");
}

std::string_view KdfStrengthName(KdfStrength strength) { return PresetOf(strength).name; }

KdfParams NewKdfParams(KdfStrength strength) {
  InitSodium();
  const Preset& p = PresetOf(strength);
  KdfParams params;
  params.opslimit = p.opslimit;
  params.memlimit = p.memlimit;
  randombytes_buf(params.salt.data(), params.salt.size());
  return params;
}

Result<SecretBytes> DeriveKek(const SecretBytes& password, const KdfParams& params) {
  if (!params.InRange()) return Status::InvalidArgument("key derivation parameters out of range");
  STRATA_ASSIGN_OR_RETURN(SecretBytes kek, SecretBytes::Allocate(format::kKeySize));
  if (crypto_pwhash(kek.mutable_data(), kek.size(), reinterpret_cast<const char*>(password.data()),
                    password.size(), params.salt.data(), params.opslimit, params.memlimit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::FromErrno(
        "derive the key from the password (Argon2id needs " + std::to_string(params.memlimit >> 20) + " MiB)",
        ENOMEM);
  }
  kek.Seal();
  return kek;
}

}  // namespace strata
