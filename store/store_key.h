// The master key of an encrypted store as its header keeps it (encryption mode 1): wrapped with
// XChaCha20-Poly1305 (IETF) under the KEK that Argon2id derives from the password, the header's uuid,
// parameters and KDF fields authenticated as associated data. A password change re-wraps the same key
// with a fresh salt and nonce, so nothing else in the store changes. See strata-store(5), "ENCRYPTION
// KEYS".
#pragma once

#include <string>

#include "store/master_key.h"
#include "store/password_kdf.h"
#include "store/secret_bytes.h"
#include "store/status.h"
#include "store/store_header.h"

namespace strata {

// Makes `header` encrypted: a new random master key wrapped under `password` with `kdf`'s costs and
// salt. Returns the key.
Result<MasterKey> CreateStoreKey(StoreHeader* header, const SecretBytes& password, const KdfParams& kdf);

// Wraps `master` under `password` into `header` (mode 1, `kdf`, a fresh nonce). An empty password is
// InvalidArgument.
Status WrapStoreKey(StoreHeader* header, const MasterKey& master, const SecretBytes& password,
                    const KdfParams& kdf);

// The master key of an encrypted header. A password that does not unwrap it, or a wrapped key whose
// header fields were altered, is WrongPassword ("<what>: wrong password"); a plain header is
// FailedPrecondition. `what` names the header file.
Result<MasterKey> UnlockStoreKey(const StoreHeader& header, const SecretBytes& password,
                                 const std::string& what);

}  // namespace strata
