// The store header file (STORE/strata-store): magic, format version, store UUID and the parameters every
// writer must use. See strata-store(5), "Header".
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/format.h"
#include "store/password_kdf.h"
#include "store/status.h"

namespace strata {

struct StoreParams {
  uint8_t data_frame_log2 = 17;  // 128 KiB: a FUSE read (128 KiB readahead) decodes one or two frames
  int32_t zstd_level = 3;
  uint32_t max_chain = 32;  // longest delta chain before a FULL is forced
  uint64_t pack_target_size = 64ull << 20;
};

// Encryption mode 1: the master key, wrapped (XChaCha20-Poly1305) under the KEK Argon2id derives from the
// password with `kdf`. See store_key.h.
struct KeySlot {
  KdfParams kdf;
  std::array<uint8_t, format::kAeadNonceSize> nonce{};
  std::array<uint8_t, format::kWrappedKeySize> wrapped{};  // ciphertext, then the 16-byte tag
};

struct StoreHeader {
  uint32_t version = 1;
  std::array<uint8_t, 16> uuid{};
  StoreParams params;
  uint8_t encryption = format::kEncryptionNone;
  KeySlot key_slot;  // only with encryption == kEncryptionXChaCha20Argon2id

  std::string UuidString() const;  // 8-4-4-4-12 lowercase hex
  std::string Encode() const;
  // The body up to the wrap nonce: uuid, parameters, encryption and, when encrypted, the KDF fields. An
  // encrypted header's key wrap authenticates these bytes, so a wrapped key moved to another store, or
  // put beside other parameters, fails to unwrap.
  std::string WrapAssociatedData() const;
  // `what` names the file in errors. Rejects bad magic, newer versions, truncation, checksum mismatch,
  // out-of-range parameters (Corruption) and unknown encryption modes or KDFs (NotSupported). An
  // encrypted header decodes: Store::Open is what refuses it, until encrypted stores can be served.
  static Result<StoreHeader> Decode(std::string_view bytes, const std::string& what);
};

}  // namespace strata
