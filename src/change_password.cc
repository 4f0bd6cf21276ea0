#include "src/change_password.h"

#include "store/format.h"
#include "store/store_header.h"
#include "store/store_key.h"

namespace strata {

Status ChangePassword(Env* env, const std::string& store_dir, const SecretBytes& old_password,
                      const SecretBytes& new_password, KdfStrength strength) {
  const std::string path = store_dir + "/" + std::string(format::kHeaderFile);
  STRATA_ASSIGN_OR_RETURN(std::string bytes, env->ReadWholeFile(path, format::kMaxHeaderSize));
  STRATA_ASSIGN_OR_RETURN(StoreHeader header, StoreHeader::Decode(bytes, path));
  STRATA_ASSIGN_OR_RETURN(MasterKey master, UnlockStoreKey(header, old_password, path));
  STRATA_RETURN_IF_ERROR(WrapStoreKey(&header, master, new_password, NewKdfParams(strength)));
  // The same check as init's: never write a header a reader would refuse.
  const std::string updated = header.Encode();
  STRATA_RETURN_IF_ERROR(StoreHeader::Decode(updated, path).status());
  return env->WriteFileAtomic(path, updated);
}

}  // namespace strata
