// strata's library API: one Repository per opened store.
//
// Everything a Repository uses belongs to it (caches, locks, its log sink); the library keeps no global
// state, so one process can hold several Repositories, of one store or of several, and run their jobs at
// once. Every call returns a Status or a Result (strata/status.h) whose message names the store, snapshot,
// path or object concerned.
//
// A snapshot is named by its full id, a unique id prefix (4+ hex digits), its name, or "latest". Paths in a
// snapshot are relative to its root, '/'-separated; "", "." and "/" are the root.
//
// Threads: ListSnapshots, ListDir, Stat, OpenFile and FileReader::Read may be called from many threads at
// once, also while a job runs. Run one job (Backup, Restore, Check) at a time per Repository; for jobs in
// parallel, open a Repository for each.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "strata/admin.h"
#include "strata/browse.h"
#include "strata/coalesce.h"
#include "strata/forget.h"
#include "strata/history.h"
#include "strata/jobs.h"
#include "strata/log.h"
#include "strata/progress.h"
#include "strata/prune.h"
#include "strata/status.h"
#include "strata/sync.h"

namespace strata {

// Asked once, only when the store is encrypted. The library copies the password into guarded memory and
// wipes the returned string. An error (the user cancelled the dialog) is passed on as it is.
using PasswordCallback = std::function<Result<std::string>()>;

// The Argon2id cost of unlocking an encrypted store: libsodium's presets (interactive: 64 MiB, 0.1 s;
// moderate: 256 MiB, 0.4 s; sensitive: 1 GiB, 2 s). kMinimum protects nothing and is for tests only.
enum class KeyStrength { kMinimum, kInteractive, kModerate, kSensitive };
// "minimum", "interactive", "moderate" or "sensitive" (as `strata init --kdf` takes them).
Result<KeyStrength> ParseKeyStrength(std::string_view name);

struct InitOptions {
  bool encrypted = true;  // XChaCha20-Poly1305; the key wrapped under an Argon2id hash of the password
  KeyStrength key_strength = KeyStrength::kModerate;
  PasswordCallback password;      // the new store's password; required when encrypted
  uint32_t pack_size_mib = 64;    // 1..4096
  uint32_t max_chain = 32;        // longest delta chain before a full copy, 1..1000
  int compression_level = 3;      // zstd, -7..22
  uint32_t frame_size_kib = 128;  // a power of two, 4..1024: the least a read decodes
  // Non-empty: the new store shares the keys and parameters of the store at this path (strata init
  // --from), so that Sync between them copies objects as stored and their streams go both ways. Its master
  // key is wrapped under `password` (the new store's own); `from_password` unlocks the source, asked only
  // when it is encrypted. `encrypted` and the parameters above are then the source's, not these.
  std::string from;
  PasswordCallback from_password;
};

struct OpenOptions {
  std::string path;
  PasswordCallback password;  // none: opening an encrypted store fails with kFailedPrecondition
  LogSink* log = nullptr;     // none: messages are dropped; must outlive the Repository
};

class Repository {
 public:
  // Creates an empty store at `path` (missing, or an empty directory). Out-of-range options are
  // kInvalidArgument; an existing store is kFailedPrecondition.
  static Status Init(const std::string& path, const InitOptions& options);
  // A missing or damaged store is an error naming its path; a wrong password is kWrongPassword.
  static Result<std::unique_ptr<Repository>> Open(const OpenOptions& options);
  // Reads the store's header only: no password is asked (a GUI learns whether to ask for one).
  static Result<StoreInfo> Inspect(const std::string& path);
  // Wraps an encrypted store's key under the password `replacement` gives, with `strength`'s costs; only
  // the header changes, atomically. A plain store is kFailedPrecondition (before any password is asked);
  // a wrong `current` password is kWrongPassword and changes nothing.
  static Status ChangePassword(const std::string& path, const PasswordCallback& current,
                               const PasswordCallback& replacement,
                               KeyStrength strength = KeyStrength::kModerate);

  ~Repository();
  Repository(const Repository&) = delete;
  Repository& operator=(const Repository&) = delete;

  const std::string& path() const;
  bool encrypted() const;

  // Oldest first. A damaged snapshot is left out and logged as a warning.
  Result<std::vector<Snapshot>> ListSnapshots();
  // The entries of a directory, sorted by name.
  Result<std::vector<Entry>> ListDir(std::string_view snapshot, std::string_view path);
  Result<Entry> Stat(std::string_view snapshot, std::string_view path);
  // A regular file's content; anything else is kInvalidArgument.
  Result<std::unique_ptr<FileReader>> OpenFile(std::string_view snapshot, std::string_view path);
  // Every entry below the directory `path`, depth first and sorted by name, each with its path relative to
  // the snapshot's root: a directory comes before its entries. A damaged tree stops the walk with an error
  // (the entries visited before it stay visited); so does a tree that contains itself.
  Status ListTree(std::string_view snapshot, std::string_view path,
                  const std::function<void(const std::string& path, const Entry& entry)>& visit);
  // Writes a regular file's content to `out` and verifies its content hash at the end (a mismatch is
  // kCorruption); a size that disagrees with its listing fails before anything is written.
  Status WriteFile(std::string_view snapshot, std::string_view path, std::FILE* out);

  // Makes a snapshot. Files that cannot be read are logged (with their path), counted in errors and left
  // out; anything that stops the backup is an error and leaves no snapshot, as does cancelling it.
  Result<BackupSummary> Backup(const BackupRequest& request, ProgressObserver* progress = nullptr,
                               const CancelToken* cancel = nullptr);
  // Restores `path` of a snapshot (a directory's contents, or one file) into the directory `dest`, exactly:
  // contents with their holes, modes, times, symlinks, hardlinks, xattrs, owners when run as root. Files
  // that cannot be restored are logged and counted in errors; every content is verified.
  Result<RestoreSummary> Restore(std::string_view snapshot, std::string_view path, const std::string& dest,
                                 const RestoreRequest& request, ProgressObserver* progress = nullptr,
                                 const CancelToken* cancel = nullptr);
  // Verifies every snapshot; damage is reported in the result (and logged), an error is returned only when
  // the check could not run.
  Result<CheckReport> Check(const CheckRequest& request, ProgressObserver* progress = nullptr,
                            const CancelToken* cancel = nullptr);
  // Removes stale locks left by crashed processes (every lock with `all`: only when no strata process uses
  // the store), then the temporary packs their writers left.
  Result<UnlockReport> Unlock(bool all);

  // What changed under `path` from snapshot `before` to snapshot `after`, from the stored trees alone
  // (strata/history.h): each changed path goes to `on_change`, parents first and siblings by name. A path
  // in neither snapshot is kNotFound.
  Result<DiffSummary> Diff(std::string_view before, std::string_view after, std::string_view path,
                           const std::function<void(const Change&)>& on_change);
  // Every snapshot, oldest first, in which `path` appeared, changed or disappeared; kNotFound if it is in
  // none.
  Result<std::vector<PathChange>> Log(std::string_view path);
  // `path` of a snapshot as a POSIX pax archive, handed to `write` as it is made (strata export-tar): GNU
  // tar extracts it to what Restore makes. An error from `write` stops the export and is returned.
  Result<ExportSummary> ExportTar(std::string_view snapshot, std::string_view path,
                                  const std::function<Status(std::string_view)>& write,
                                  const CancelToken* cancel = nullptr);

  // Forgets the snapshots `request` names, or those its retention policy does not keep (strata/forget.h),
  // by removing their manifests under the store's exclusive lock; each removal is durable before the next
  // one. Everything is decided before anything is removed: an unknown snapshot is kNotFound, a policy
  // that keeps none of the snapshots without `force` is kFailedPrecondition, and so is a backup or check
  // holding the store; none of them removes anything. Naming snapshots and giving a policy both, or
  // neither, is kInvalidArgument. Snapshot names can change afterwards (a "_2" suffix falls away), ids
  // never do.
  Result<ForgetResult> Forget(const ForgetRequest& request);
  // Removes what no snapshot reaches any more and repacks packs that are mostly unused (strata/prune.h),
  // under the store's exclusive lock; killed at any moment, it leaves every snapshot readable, and running
  // it again finishes the job. A backup or check holding the store, or damage anywhere a snapshot reaches
  // (a prune must know everything that is used), is kFailedPrecondition and changes nothing; so does a
  // used object found damaged while being copied (kCorruption). Cancelled while marking or repacking, it
  // changes nothing.
  Result<PruneResult> Prune(const PruneRequest& request, ProgressObserver* progress = nullptr,
                            const CancelToken* cancel = nullptr);

  // Rewrites delta chains (strata/coalesce.h) under the store's exclusive lock: versions that must start a
  // chain get a FULL record, rebuilt and checked against their content hash, the versions above them a
  // record of their new depth; everything is read back before it is committed, at once. Snapshots and
  // their content do not change. Neither `before` nor `max_chain` is kInvalidArgument, an unknown snapshot
  // kNotFound, a backup or check holding the store kFailedPrecondition; none of them writes anything.
  // Damaged versions are listed in the result (and logged) and get no new record.
  Result<CoalesceResult> Coalesce(const CoalesceRequest& request, ProgressObserver* progress = nullptr,
                                  const CancelToken* cancel = nullptr);

  // Copies the snapshots `request` names (all by default) that `destination` lacks into it, sending only
  // the objects it lacks (strata/sync.h). `destination` is another store, opened with its own password;
  // stores with different keys work too (every object is then decoded and encoded again). The
  // destination gets the objects as a backup writes them, under its shared lock: killed at any point, it
  // stays consistent and the next Sync resumes. A forget or prune holding either store is
  // kFailedPrecondition; an unknown snapshot kNotFound; neither writes anything.
  Result<SyncSummary> Sync(Repository& destination, const SyncRequest& request,
                           ProgressObserver* progress = nullptr, const CancelToken* cancel = nullptr);
  // The same snapshots as a stream file at `path` (replaced), for a store out of reach: Receive reads it
  // into a store that shares this one's keys. An error leaves no file. `path` "-" is standard output
  // (strata/sync.h, "Streams through a pipe").
  Result<SyncSummary> SyncToFile(const std::string& path, const SyncRequest& request,
                                 ProgressObserver* progress = nullptr, const CancelToken* cancel = nullptr);
  // Reads a stream file into this store; `path` "-" is standard input, read to its end into an anonymous
  // file in the store's tmp/ first. The whole stream is verified first: a truncated or damaged stream is
  // kCorruption; a file that is not a stream, a stream written for other keys, or one that builds on a
  // snapshot this store lacks is kFailedPrecondition; none of them writes anything. Receiving a stream
  // twice is harmless: the second time nothing is sent.
  Result<SyncSummary> Receive(const std::string& path, ProgressObserver* progress = nullptr,
                              const CancelToken* cancel = nullptr);

 private:
  struct Impl;
  explicit Repository(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace strata
