#include "store/lock.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <ctime>

#include "store/format.h"
#include "store/hash.h"
#include "store/host_name.h"

namespace strata {
namespace {

constexpr std::string_view kLockMagicLine = "strata-lock 1";
constexpr uint64_t kMaxLockFileSize = 4096;
constexpr size_t kLockIdSize = 16;

std::string LocksDir(const std::string& store_dir) {
  return store_dir + "/" + std::string(format::kLocksDir);
}

bool IsLockName(std::string_view name) {
  if (name.size() != 2 * kLockIdSize + format::kLockSuffix.size() || !name.ends_with(format::kLockSuffix))
    return false;
  return name.substr(0, 2 * kLockIdSize).find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::string UtcSeconds(int64_t secs) {
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// kill(pid, 0) fails with ESRCH only when no such process exists; EPERM means it runs as another user.
bool ProcessRuns(int64_t pid) { return pid > 0 && (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH); }

bool Conflicts(LockKind a, LockKind b) { return a == LockKind::kExclusive || b == LockKind::kExclusive; }

}  // namespace

std::string LockInfo::Encode() const {
  std::string out(kLockMagicLine);
  out += "\nkind ";
  out += kind == LockKind::kExclusive ? "exclusive" : "shared";
  out += "\ncommand " + command + "\nhost " + host + "\npid " + std::to_string(pid) + "\nstarted " +
         std::to_string(started) + "\nrefreshed " + std::to_string(refreshed) + "\n";
  return out;
}

Result<LockInfo> LockInfo::Decode(std::string_view bytes, const std::string& what) {
  auto bad = [&](const std::string& why) { return Status::Corruption(what + ": " + why); };
  if (bytes.size() > kMaxLockFileSize) return bad("too large for a lock file");
  if (!bytes.starts_with(std::string(kLockMagicLine) + "\n")) return bad("not a strata lock file");
  bytes.remove_prefix(kLockMagicLine.size() + 1);
  LockInfo info;
  std::vector<std::string_view> seen;
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    if (nl == std::string_view::npos) return bad("last line is not terminated");
    std::string_view line = bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return bad("line without a value");
    std::string_view key = line.substr(0, space);
    std::string_view value = line.substr(space + 1);
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      return bad("field '" + std::string(key) + "' given twice");
    seen.push_back(key);
    bool ok = true;
    if (key == "kind") {
      ok = value == "shared" || value == "exclusive";
      info.kind = value == "exclusive" ? LockKind::kExclusive : LockKind::kShared;
    } else if (key == "command") {
      info.command = value;
    } else if (key == "host") {
      ok = !value.empty();
      info.host = value;
    } else if (key == "pid") {
      ok = ParseInt(value, &info.pid) && info.pid > 0;
    } else if (key == "started") {
      ok = ParseInt(value, &info.started);
    } else if (key == "refreshed") {
      ok = ParseInt(value, &info.refreshed);
    }  // other keys belong to later versions of the format and are ignored
    if (!ok) return bad("invalid " + std::string(key) + " '" + std::string(value) + "'");
  }
  for (std::string_view key : {"kind", "host", "pid", "started", "refreshed"}) {
    if (std::find(seen.begin(), seen.end(), key) == seen.end())
      return bad("no " + std::string(key) + " field");
  }
  return info;
}

std::string LockInfo::Describe() const {
  if (!damage.empty()) return "unreadable lock file " + file;
  return (command.empty() ? std::string("unknown command") : command) + ", host " + host + ", pid " +
         std::to_string(pid) + ", since " + UtcSeconds(started);
}

int64_t LockTiming::Now() const { return clock ? clock() : static_cast<int64_t>(time(nullptr)); }

std::string StaleReason(const LockInfo& lock, const LockTiming& timing) {
  if (!lock.damage.empty()) return lock.damage;
  if (lock.host == HostName() && !ProcessRuns(lock.pid)) {
    return "process " + std::to_string(lock.pid) + " is not running";
  }
  const int64_t age = timing.Now() - lock.refreshed;
  if (age > timing.stale_after) return "not refreshed for " + std::to_string(age / 60) + " minutes";
  return "";
}

Result<std::vector<LockInfo>> ListLocks(Env* env, const std::string& store_dir) {
  const std::string dir = LocksDir(store_dir);
  std::vector<LockInfo> out;
  if (!env->FileExists(dir)) return out;
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (!IsLockName(name)) continue;
    const std::string path = dir + "/" + name;
    auto bytes = env->ReadWholeFile(path, kMaxLockFileSize + 1);
    // Removed by its owner since the listing: it no longer exists, so it locks nothing.
    if (!bytes.ok() && !env->FileExists(path)) continue;
    Result<LockInfo> info = bytes.ok() ? LockInfo::Decode(*bytes, path) : Result<LockInfo>(bytes.status());
    LockInfo lock;
    if (info.ok()) {
      lock = std::move(info).value();
    } else {
      lock.damage = info.status().message();
    }
    lock.file = name;
    out.push_back(std::move(lock));
  }
  return out;
}

StoreLock::StoreLock(Env* env, std::string path, LockInfo info, const LockTiming& timing)
    : env_(env), path_(std::move(path)), info_(std::move(info)), timing_(timing) {}

Result<std::unique_ptr<StoreLock>> StoreLock::Acquire(Env* env, const std::string& store_dir, LockKind kind,
                                                      const std::string& command,
                                                      const std::function<void(const std::string&)>& on_stale,
                                                      const LockTiming& timing) {
  STRATA_RETURN_IF_ERROR(env->CreateDir(LocksDir(store_dir)));
  InitSodium();
  std::string id(kLockIdSize, '\0');
  randombytes_buf(id.data(), id.size());
  LockInfo info;
  info.file = HexEncode(id) + std::string(format::kLockSuffix);
  info.kind = kind;
  info.command = command;
  info.host = HostName();
  info.pid = getpid();
  info.started = info.refreshed = timing.Now();
  const std::string path = LocksDir(store_dir) + "/" + info.file;
  STRATA_RETURN_IF_ERROR(env->WriteFileAtomic(path, info.Encode()));
  std::unique_ptr<StoreLock> lock(new StoreLock(env, path, info, timing));

  auto others = ListLocks(env, store_dir);
  if (!others.ok()) return others.status().WithContext("listing locks of " + store_dir);
  for (const LockInfo& other : *others) {
    if (other.file == info.file) continue;
    std::string stale = StaleReason(other, timing);
    if (!stale.empty()) {
      if (on_stale) {
        on_stale("ignoring stale lock " + std::string(format::kLocksDir) + "/" + other.file + " (" +
                 other.Describe() + "): " + stale + "; run `strata unlock -s " + store_dir +
                 "` to remove it");
      }
      continue;
    }
    if (Conflicts(kind, other.kind)) {
      return Status::FailedPrecondition(
          "store " + store_dir +
          (other.kind == LockKind::kExclusive ? " is locked exclusively by " : " is in use by ") +
          other.Describe() + "; try again when it has finished");
    }
  }
  lock->refresher_ = std::thread([l = lock.get()] { l->RefreshLoop(); });
  return lock;
}

void StoreLock::RefreshLoop() {
  std::unique_lock<std::mutex> guard(mu_);
  while (!cv_.wait_for(guard, std::chrono::seconds(timing_.refresh_interval), [this] { return stop_; })) {
    info_.refreshed = timing_.Now();
    // A failed rewrite is retried at the next interval; the lock only turns stale after many of them.
    (void)env_->WriteFileAtomic(path_, info_.Encode());
  }
}

Status StoreLock::Release() {
  {
    std::lock_guard<std::mutex> guard(mu_);
    if (stop_) return Status::Ok();
    stop_ = true;
  }
  cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
  return env_->RemoveFile(path_);
}

StoreLock::~StoreLock() { (void)Release(); }

std::string StoreLock::id() const {
  return info_.file.substr(0, info_.file.size() - format::kLockSuffix.size());
}

Result<UnlockResult> RemoveLocks(Env* env, const std::string& store_dir, bool all, const LockTiming& timing) {
  STRATA_ASSIGN_OR_RETURN(std::vector<LockInfo> locks, ListLocks(env, store_dir));
  UnlockResult result;
  for (LockInfo& lock : locks) {
    if (!all && StaleReason(lock, timing).empty()) {
      result.kept.push_back(std::move(lock));
      continue;
    }
    Status s = env->RemoveFile(LocksDir(store_dir) + "/" + lock.file);
    // Its owner may have released it in the meantime, which is just as good.
    if (!s.ok() && env->FileExists(LocksDir(store_dir) + "/" + lock.file)) return s;
    result.removed.push_back(std::move(lock));
  }
  return result;
}

}  // namespace strata
