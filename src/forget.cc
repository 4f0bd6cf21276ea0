#include "src/forget.h"

#include <memory>

#include "src/retention.h"
#include "store/lock.h"

namespace strata {
namespace {

// Which of `all` go: those `request` names, or those its policy keeps by no rule (their rules are 0).
Status Decide(const Store& store, const std::vector<SnapshotInfo>& all, const ForgetRequest& request,
              std::vector<bool>* forget, std::vector<uint32_t>* rules) {
  forget->assign(all.size(), false);
  rules->assign(all.size(), 0);
  if (!request.policy) {
    for (const std::string& ref : request.snapshots) {
      STRATA_ASSIGN_OR_RETURN(SnapshotInfo named, store.FindSnapshotIn(all, ref));
      for (size_t i = 0; i < all.size(); i++) {
        if (all[i].manifest.id == named.manifest.id) (*forget)[i] = true;
      }
    }
    return Status::Ok();
  }
  std::vector<int64_t> times;
  times.reserve(all.size());
  for (const SnapshotInfo& s : all) times.push_back(s.manifest.time_ns);
  *rules = ApplyRetention(times, *request.policy);
  size_t kept = 0;
  for (size_t i = 0; i < all.size(); i++) {
    (*forget)[i] = (*rules)[i] == 0;
    if (!(*forget)[i]) kept++;
  }
  if (kept == 0 && !all.empty() && !request.force) {
    return Status::FailedPrecondition("store " + store.path() + ": the retention policy keeps none of its " +
                                      std::to_string(all.size()) +
                                      " snapshots; refusing to forget them all without force (--force)");
  }
  return Status::Ok();
}

}  // namespace

Result<ForgetPlan> RunForget(Store* store, const ForgetOptions& options) {
  const ForgetRequest& request = options.request;
  if (request.snapshots.empty() != request.policy.has_value()) {
    return Status::InvalidArgument("store " + store->path() + ": forget takes either snapshots or a " +
                                   "retention policy" + (request.policy ? ", not both" : ""));
  }
  // Taken before the listing: no backup commits a snapshot the decision has not seen while it is held.
  std::unique_ptr<StoreLock> lock;
  if (!request.dry_run) {
    STRATA_ASSIGN_OR_RETURN(lock, StoreLock::Acquire(store->env(), store->path(), LockKind::kExclusive,
                                                     "forget", options.on_note));
  }
  std::vector<std::string> problems;
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> all, store->ListSnapshots(&problems));
  for (const std::string& problem : problems) {
    if (options.on_warning) options.on_warning("skipping damaged snapshot: " + problem);
  }
  std::vector<bool> forget;
  std::vector<uint32_t> rules;
  STRATA_RETURN_IF_ERROR(Decide(*store, all, request, &forget, &rules));

  ForgetPlan plan;
  for (size_t i = 0; i < all.size(); i++) {
    if (!forget[i]) {
      plan.kept.push_back(KeptSnapshotInfo{all[i], rules[i]});
      continue;
    }
    if (!request.dry_run) {
      Status s = store->RemoveManifest(all[i].manifest.id);
      if (!s.ok()) {
        return s.WithContext("forgetting snapshot " + all[i].name + " (" +
                             std::to_string(plan.forgotten.size()) + " forgotten before it)");
      }
    }
    plan.forgotten.push_back(all[i]);
  }
  return plan;
}

}  // namespace strata
