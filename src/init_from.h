// `strata init --from SRC`: a new, empty store that shares SRC's keys and parameters, so that
// `strata sync` copies objects between the two verbatim, without decoding or re-encoding anything, and
// a stream written by one (sync --to-file) can be received by the other.
//
// Shared: the master key (hence every subkey: frame, object-id, cache and file keys; the same content gets
// the same object id in both stores) and the parameters (frame size, compression level, longest chain,
// pack size). Not shared: the uuid (each store is its own; the block cache is kept per uuid), and the
// password: the master key is wrapped anew under the new store's own password, with its own salt, nonce
// and Argon2id costs. Changing either store's password later changes nothing in the other.
// A plain SRC gives a plain store with its parameters (plain stores already share their "keys").
#pragma once

#include <string>

#include "store/store.h"

namespace strata {

// `from_password` is asked only for an encrypted SRC (a wrong one is WrongPassword naming SRC's header and
// creates nothing), `password` only then too. Errors as Store::Init's.
Status InitStoreFrom(Env* env, const std::string& path, const std::string& from,
                     const PasswordSource& from_password, const PasswordSource& password,
                     KdfStrength strength);

}  // namespace strata
