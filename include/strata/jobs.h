// What Repository::Backup, Restore and Check take and return.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata {

struct BackupRequest {
  // Directories to back up. With one, the snapshot's root is its contents; with several, each appears
  // under its basename (which must differ).
  std::vector<std::string> sources;
  std::string label;
  std::vector<std::string> excludes;       // gitignore-style patterns, matched against paths in the snapshot
  std::vector<std::string> exclude_files;  // files of such patterns, one a line
  bool exclude_caches = false;             // leave out the contents of directories tagged with CACHEDIR.TAG
  bool one_file_system = false;
  unsigned threads = 0;    // 0: four per core, at least 4, at most 32
  uint32_t max_chain = 0;  // longest delta chain before a full copy, 1..1000; 0: the store's
};

struct BackupSummary {
  std::string snapshot_id;  // 64 hex digits
  std::string snapshot_name;
  uint64_t files_new = 0;
  uint64_t files_changed = 0;
  uint64_t files_unchanged = 0;    // taken from the parent snapshot without being read
  uint64_t errors = 0;             // entries that could not be read: each was logged, with its path
  uint64_t bytes_read = 0;         // content read from the sources
  uint64_t bytes_stored = 0;       // added to the store, after delta encoding and compression
  uint64_t delta_saved = 0;        // bytes of changed files stored as references to their previous version
  uint64_t compression_saved = 0;  // bytes compression took off the new content
  // The snapshot: regular files, their logical bytes, directories, other entries (symlinks, fifos, ...).
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t dirs = 0;
  uint64_t other = 0;
  int64_t duration_ns = 0;
};

struct RestoreRequest {
  bool overwrite = false;  // allow a non-empty destination; existing entries are replaced
};

struct RestoreSummary {
  uint64_t files = 0;
  uint64_t dirs = 0;
  uint64_t other = 0;  // symlinks, fifos, devices
  uint64_t bytes = 0;
  uint64_t errors = 0;  // entries that could not be restored: each was logged, with its path
};

// What Repository::ExportTar wrote.
struct ExportSummary {
  uint64_t files = 0;  // regular files whose content is in the archive
  uint64_t links = 0;  // hard links to one of those
  uint64_t dirs = 0;
  uint64_t other = 0;  // symlinks, fifos, devices
  uint64_t bytes = 0;  // content bytes
};

struct CheckRequest {
  // Also rebuild every file version and compare its content hash, reading every frame in use.
  bool read_data = false;
};

// A snapshot path that needs a damaged object.
struct DamagedPath {
  std::string snapshot;  // name
  std::string snapshot_id;
  std::string path;  // relative to the snapshot's root; "." is the root
};

struct DamagedObject {
  std::string object;  // hex id (of an object, of a snapshot for its manifest, of an index file)
  std::string kind;    // "manifest", "index file", "tree", "version", "data" or "signature"
  std::string message;
  std::vector<DamagedPath> paths;  // the first 20
  uint64_t more_paths = 0;
};

struct CheckReport {
  uint64_t snapshots = 0;  // readable ones
  uint64_t index_files = 0;
  uint64_t trees = 0;
  uint64_t versions = 0;
  uint64_t objects = 0;  // data and signature objects
  uint64_t bytes_read = 0;
  std::vector<DamagedObject> damaged;  // the first 1000
  uint64_t more_damaged = 0;

  bool ok() const { return damaged.empty() && more_damaged == 0; }
};

}  // namespace strata
