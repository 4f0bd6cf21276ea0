// Repository: the calls that manage a store as a whole (its header, password and locks).
#include <bit>
#include <map>

#include "src/api/public_types.h"
#include "src/api/repository_impl.h"
#include "src/change_password.h"
#include "store/lock.h"
#include "store/temp_packs.h"
#include "strata/repository.h"

namespace strata {

Result<StoreInfo> Repository::Inspect(const std::string& path) {
  STRATA_ASSIGN_OR_RETURN(StoreHeader header, Store::ReadHeader(Env::Default(), path));
  StoreInfo info;
  info.id = header.UuidString();
  info.encrypted = header.encryption != format::kEncryptionNone;
  info.frame_size_kib = static_cast<uint32_t>((uint64_t{1} << header.params.data_frame_log2) >> 10);
  info.pack_size_mib = static_cast<uint32_t>(header.params.pack_target_size >> 20);
  info.max_chain = header.params.max_chain;
  info.compression_level = header.params.zstd_level;
  return info;
}

Status Repository::ChangePassword(const std::string& path, const PasswordCallback& current,
                                  const PasswordCallback& replacement, KeyStrength strength) {
  STRATA_ASSIGN_OR_RETURN(StoreInfo info, Inspect(path));
  if (!info.encrypted) return Status::FailedPrecondition(path + ": the store is not encrypted");
  if (!current || !replacement) {
    return Status::InvalidArgument("store " + path + ": changing the password needs both passwords");
  }
  STRATA_ASSIGN_OR_RETURN(SecretBytes old_password, SecretSource(current, path)());
  STRATA_ASSIGN_OR_RETURN(SecretBytes new_password, SecretSource(replacement, path)());
  return strata::ChangePassword(Env::Default(), path, old_password, new_password, ToKdfStrength(strength));
}

Result<UnlockReport> Repository::Unlock(bool all) {
  Store* store = impl_->store.get();
  const std::string dir = std::string(format::kLocksDir) + "/";
  // Reasons are taken before removal: they describe what each lock was.
  STRATA_ASSIGN_OR_RETURN(std::vector<LockInfo> before, ListLocks(store->env(), store->path()));
  std::map<std::string, std::string> reasons;
  for (const LockInfo& l : before) reasons[l.file] = StaleReason(l, {});
  STRATA_ASSIGN_OR_RETURN(UnlockResult result, RemoveLocks(store->env(), store->path(), all));
  UnlockReport report;
  for (const auto* list : {&result.removed, &result.kept}) {
    for (const LockInfo& l : *list) {
      report.locks.push_back({dir + l.file, l.Describe(), reasons[l.file], list == &result.removed});
    }
  }
  // With their locks gone, the unsealed packs of the writers that held them are garbage.
  STRATA_ASSIGN_OR_RETURN(TempPackSweep swept, RemoveDeadTempPacks(store->env(), store->path()));
  for (const std::string& name : swept.removed)
    report.temp_packs.push_back(std::string(format::kTmpDir) + "/" + name);
  return report;
}

}  // namespace strata
