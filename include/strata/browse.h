// What a Repository shows of its snapshots: plain values, copied out of the store, that stay valid after
// the Repository is gone (a FileReader excepted, which keeps the store open while it lives).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "strata/status.h"

namespace strata {

struct Snapshot {
  std::string id;       // 64 hex digits
  std::string name;     // "2026-11-22T10.15.30Z" ("_2" etc. on a clash): unique in the store
  int64_t time_ns = 0;  // when the backup started, ns since the epoch (UTC)
  std::string host;
  std::string label;
  std::vector<std::string> paths;  // the absolute source paths
  std::string parent_id;           // the snapshot the backup compared against; empty for none
  std::string origin_id;           // a copy made by sync: the id of the snapshot it copies; empty otherwise
  uint64_t files = 0;              // regular files
  uint64_t dirs = 0;
  uint64_t bytes = 0;   // logical size of the regular files
  uint64_t errors = 0;  // entries that could not be read and are missing from the snapshot
  uint64_t other = 0;   // symlinks, fifos, devices
  // What the backup that made it did: files stored anew, stored as changed, taken unread from the parent;
  // bytes it read from the sources and added to the store.
  uint64_t files_new = 0;
  uint64_t files_changed = 0;
  uint64_t files_unchanged = 0;
  uint64_t bytes_read = 0;
  uint64_t bytes_added = 0;
};

enum class FileType { kRegular, kDirectory, kSymlink, kFifo, kCharDevice, kBlockDevice };

// One file, directory or other entry of a snapshot, as it was when backed up.
struct Entry {
  std::string name;  // "" for a snapshot's root
  FileType type = FileType::kRegular;
  uint32_t mode = 0;  // permission bits with setuid/setgid/sticky (st_mode & 07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;  // the names of uid and gid at backup time; empty if unknown
  std::string group;
  uint64_t size = 0;  // regular files and symlinks
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t nlink = 1;
  uint64_t rdev = 0;  // devices
  std::string symlink_target;
  std::vector<std::string> xattr_names;  // sorted
};

// Random access to one file version of a snapshot. Reads are verified against the stored frames' checks;
// a whole-file read is not compared with the content hash (Repository::Restore does that). Thread-safe.
class FileReader {
 public:
  virtual ~FileReader() = default;
  virtual uint64_t size() const = 0;
  // Replaces *out with up to n bytes at `offset`: fewer only at the end of the file, none past it.
  virtual Status Read(uint64_t offset, size_t n, std::string* out) = 0;
};

}  // namespace strata
