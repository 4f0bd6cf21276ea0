#include "store/temp_packs.h"

#include <sys/stat.h>

#include <map>

#include "store/format.h"

namespace strata {
namespace {

constexpr std::string_view kTempPackSuffix = ".pack.tmp";
constexpr size_t kIdHex = 2 * format::kPackIdSize;  // lock ids have the same length

bool IsHexId(std::string_view s) {
  return s.size() == kIdHex && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// The lock id of "<lock id>-<pack id>.pack.tmp"; empty for any other name.
std::string_view LockIdOf(std::string_view name) {
  if (name.size() != 2 * kIdHex + 1 + kTempPackSuffix.size() || !name.ends_with(kTempPackSuffix) ||
      name[kIdHex] != '-' || !IsHexId(name.substr(kIdHex + 1, kIdHex))) {
    return {};
  }
  std::string_view lock = name.substr(0, kIdHex);
  return IsHexId(lock) ? lock : std::string_view();
}

}  // namespace

std::string TempPackName(std::string_view lock_id, const PackId& pack) {
  return (lock_id.empty() ? "" : std::string(lock_id) + "-") + PackIdHex(pack) + std::string(kTempPackSuffix);
}

Result<TempPackSweep> RemoveDeadTempPacks(Env* env, const std::string& store_dir, const LockTiming& timing) {
  const std::string tmp = store_dir + "/" + std::string(format::kTmpDir);
  TempPackSweep sweep;
  if (!env->FileExists(tmp)) return sweep;
  // Listed before the locks: a writer creates its lock before its first pack, so a pack listed here whose
  // lock is missing below had a dead writer, or one that finished and renamed it (then removal finds
  // nothing).
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(tmp));
  STRATA_ASSIGN_OR_RETURN(std::vector<LockInfo> locks, ListLocks(env, store_dir));
  std::map<std::string, bool, std::less<>> live;  // lock id -> live
  for (const LockInfo& l : locks) {
    live[l.file.substr(0, l.file.size() - format::kLockSuffix.size())] = StaleReason(l, timing).empty();
  }
  for (const std::string& name : names) {
    if (!name.ends_with(kTempPackSuffix)) continue;
    const std::string path = tmp + "/" + name;
    struct stat st;
    if (stat(path.c_str(), &st) != 0) continue;
    std::string_view lock = LockIdOf(name);
    bool dead;
    if (lock.empty()) {
      dead = timing.Now() - st.st_mtime > timing.stale_after;
    } else {
      auto it = live.find(lock);
      dead = it == live.end() || !it->second;
    }
    if (!dead || !env->RemoveFile(path).ok()) continue;
    sweep.removed.push_back(name);
  }
  return sweep;
}

}  // namespace strata
