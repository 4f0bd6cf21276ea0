// Progress and cancellation of a long job (Repository::Backup, Restore, Check, Prune).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace strata {

enum class ProgressPhase {
  kScanning,    // backup: the sources are being walked while files are stored; totals are not known yet
  kStoring,     // backup: the walk is done, the totals are known, the last files are being stored
  kCommitting,  // backup: directories and the snapshot are being written
  kRestoring,
  kChecking,
  kMarking,     // prune: the snapshots are walked for the objects they use
  kRepacking,   // prune: the used objects of mostly unused packs are copied into new packs
  kCoalescing,  // coalesce: versions rewritten of those to rewrite, file content bytes rebuilt
  kSyncing,     // sync, receive: files_* count snapshots, bytes_done the bytes sent
  kDone,        // the job finished (sent once, last, with the final counts; not sent when it failed)
};

// "scanning", "storing", "committing", "restoring", "checking", "marking", "repacking", "coalescing",
// "syncing", "done".
const char* ProgressPhaseName(ProgressPhase phase);

struct Progress {
  ProgressPhase phase = ProgressPhase::kScanning;
  // Backup and restore: regular files and their logical bytes. Check: snapshots, and content bytes
  // rebuilt (read_data). Prune: snapshots while marking; packs and stored bytes while repacking, and
  // committing (the old packs are being deleted). A total of 0 means not known (yet).
  uint64_t files_done = 0;
  uint64_t files_total = 0;
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
  // Backup: the totals above are the parent snapshot's, an estimate given until the walk of the sources
  // has counted the real ones.
  bool totals_estimated = false;
  // Backup: what delta encoding (bytes of changed files copied from their previous version) and
  // compression (bytes taken off new content) saved so far.
  uint64_t delta_saved = 0;
  uint64_t compression_saved = 0;
  std::string current_path;  // the file being worked on; check: the snapshot's name
};

class ProgressObserver {
 public:
  virtual ~ProgressObserver() = default;
  // Called on the job's threads, never two calls at once, at most every 100 ms and at every change of
  // phase. Keep it short: the job waits for it.
  virtual void OnProgress(const Progress& progress) = 0;
};

// Set from any thread (a GUI's Cancel button) while a job runs; the job stops before its next file. One token
// may serve several jobs. A cancelled job returns a Status with code kCancelled; a cancelled backup leaves
// no snapshot, a cancelled restore leaves what it had written so far.
class CancelToken {
 public:
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

}  // namespace strata
