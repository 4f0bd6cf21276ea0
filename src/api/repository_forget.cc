// Repository::Forget, the public face of src/forget.
#include "src/api/public_types.h"
#include "src/api/repository_impl.h"
#include "src/forget.h"
#include "strata/repository.h"

namespace strata {

Result<ForgetResult> Repository::Forget(const ForgetRequest& request) {
  Logger& log = impl_->log;
  ForgetOptions options;
  options.request = request;
  options.on_note = [&log](const std::string& message) { log.Log(LogLevel::kInfo, message); };
  options.on_warning = [&log](const std::string& message) { log.Log(LogLevel::kWarning, message); };
  STRATA_ASSIGN_OR_RETURN(ForgetPlan plan, RunForget(impl_->store.get(), options));
  ForgetResult result;
  result.kept.reserve(plan.kept.size());
  for (const KeptSnapshotInfo& k : plan.kept)
    result.kept.push_back(KeptSnapshot{ToSnapshot(k.snapshot), k.rules});
  result.forgotten.reserve(plan.forgotten.size());
  for (const SnapshotInfo& s : plan.forgotten) result.forgotten.push_back(ToSnapshot(s));
  return result;
}

}  // namespace strata
