// `strata key passwd`: re-wraps an encrypted store's master key under a new password. Only the header
// changes, and atomically (a reader sees the old header or the new one, never a mix), so a crash leaves
// the store under one password or the other; the master key, and everything encrypted under it, stays.
#pragma once

#include <string>

#include "store/env.h"
#include "store/password_kdf.h"
#include "store/secret_bytes.h"
#include "store/status.h"

namespace strata {

// Unlocks the store at `store_dir` with `old_password` and wraps its master key under `new_password` with
// `strength`'s costs and a fresh salt and nonce. A wrong old password is WrongPassword and leaves the
// header untouched; a plain store is FailedPrecondition. Takes no store lock: commands that only read the
// header are unaffected, and of two password changes at once the later rename wins whole.
Status ChangePassword(Env* env, const std::string& store_dir, const SecretBytes& old_password,
                      const SecretBytes& new_password, KdfStrength strength);

}  // namespace strata
