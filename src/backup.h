// Backup: walks the sources, reuses the parent snapshot's records for unchanged files without reading
// them, stores changed and new content through ContentWriters on all cores, writes tree objects bottom
// up, and commits the manifest last.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "store/store.h"
#include "strata/progress.h"

namespace strata {

struct BackupOptions {
  std::vector<std::string> sources;
  std::string label;
  std::vector<std::string> excludes;       // gitignore-style patterns
  std::vector<std::string> exclude_files;  // files of patterns
  bool exclude_caches = false;             // skip the contents of directories with a valid CACHEDIR.TAG
  bool one_file_system = false;
  uint32_t max_chain = 0;  // 0: the store's default
  unsigned threads = 0;    // 0: four per core, at least 4 and at most 32
  std::string host;        // empty: this machine's host name
  // Called as things happen, from the walking thread and the content writers (one at a time); may be empty.
  // A warning names the source path it concerns, which is also passed on its own.
  std::function<void(const std::string& message, const std::string& path)> on_warning;
  std::function<void(const std::string&)> on_note;
  // Called after every regular file and at every change of phase, from the walking thread and the content
  // writers at once (the callback serializes and throttles); may be empty.
  std::function<void(const Progress&)> on_progress;
  // Checked before every entry: once cancelled, the backup stops and makes no snapshot (Cancelled).
  const CancelToken* cancel = nullptr;
};

struct BackupResult {
  Manifest manifest;
  std::string name;  // the snapshot's display name
  // What delta encoding and compression saved (BackupSummary); not kept in the manifest.
  uint64_t delta_saved = 0;
  uint64_t compression_saved = 0;
};

// Errors that stop the backup (store unwritable, bad options, no space) come back as a Status and leave no
// snapshot. Files that cannot be read are warnings: they are listed in the manifest and counted in
// stats.errors, and the snapshot is committed.
Result<BackupResult> RunBackup(Store* store, const BackupOptions& options);

}  // namespace strata
