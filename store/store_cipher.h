// StoreCipher: the keys of an unlocked encrypted store and everything done with them. Frames are sealed
// with the frame subkey, whole files (index files, manifests, pack trailers) with the file subkey, block
// cache values with the cache subkey, and
// object ids, index file names and snapshot ids are BLAKE2b keyed with the object-id subkey, so nothing
// in the store but the header is readable, or recognizable, without the password. See strata-store(5),
// "ENCRYPTION".
//
// Made once per command from the master key; the subkeys live in SecretBytes and are wiped with it.
// Thread-safe: every method is const and keeps no state.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/cache_value.h"
#include "store/master_key.h"
#include "store/object_id.h"
#include "store/secret_bytes.h"
#include "store/status.h"

namespace strata {

// What a sealed file is; part of its associated data, so one kind of file cannot pass for another.
// kStreamEntry: the index entry of an object in a sync stream (strata-store(5), "SYNC STREAMS").
enum class SealedFile { kIndex, kManifest, kPackTrailer, kStreamEntry };

class StoreCipher {
 public:
  static Result<std::unique_ptr<const StoreCipher>> FromMasterKey(const MasterKey& master);

  // Appends nonce || ciphertext || tag of `body` to `out` (kSealedFrameOverhead - 1 bytes more than the
  // body), authenticating `ad` too.
  void SealFrame(std::string_view ad, std::string_view body, std::string* out) const;
  // The inverse: false when `sealed` is too short or fails authentication; `out` is then unspecified.
  bool OpenFrame(std::string_view ad, std::string_view sealed, std::string* out) const;

  // A whole file: nonce || ciphertext || tag, bound to its kind and `name` (its file name or pack id).
  std::string SealFile(SealedFile kind, std::string_view name, std::string_view plaintext) const;
  // Corruption naming `what` when the file fails authentication: damaged, renamed or of another kind.
  Result<std::string> OpenFile(SealedFile kind, std::string_view name, std::string_view sealed,
                               const std::string& what) const;

  // A block-cache value (decoded plaintext, kept outside the store): its segments (cache_value.h) sealed
  // under a key of its own derived from the cache subkey (AES-256-GCM where the CPU has AES instructions,
  // else XChaCha20-Poly1305), bound to its cache key and length, so a value moved to another key, cut, or
  // of another store, fails to open.
  std::string SealCacheValue(std::string_view key, std::string_view value) const;
  // Bytes [offset, offset + n) of a sealed value (n = kCacheToEnd: to its end), opening only the segments
  // they lie in.
  CacheRead OpenCacheValue(std::string_view key, std::string_view sealed, uint64_t offset, uint64_t n,
                           std::string* out) const;

  // Keyed BLAKE2b-256 with the object-id subkey.
  std::string_view id_key() const { return id_key_.view(); }
  ObjectId KeyedHash(std::string_view bytes) const;

 private:
  StoreCipher(SecretBytes frame_key, SecretBytes file_key, SecretBytes id_key, SecretBytes cache_key,
              bool aes)
      : frame_key_(std::move(frame_key)),
        file_key_(std::move(file_key)),
        id_key_(std::move(id_key)),
        cache_key_(std::move(cache_key)),
        aes_(aes) {}

  SecretBytes frame_key_;
  SecretBytes file_key_;
  SecretBytes id_key_;
  SecretBytes cache_key_;
  const bool aes_;  // the CPU has AES instructions: cache values use AES-256-GCM
};

}  // namespace strata
