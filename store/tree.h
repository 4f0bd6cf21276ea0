// Tree objects (DirIndex): one per directory, entries sorted by name bytes. An unchanged directory
// encodes to the same bytes, hence the same id, so it costs nothing in a later snapshot.
// See strata-store(5), "Tree objects".
#pragma once

#include <time.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/object_id.h"
#include "store/status.h"

namespace strata {

enum class EntryType : uint8_t {
  kRegular = 1,
  kDirectory = 2,
  kSymlink = 3,
  kFifo = 4,
  kCharDevice = 5,
  kBlockDevice = 6,
};

struct TreeEntry {
  std::string name;
  EntryType type = EntryType::kRegular;
  uint32_t mode = 0;  // permission bits incl. setuid/setgid/sticky (st_mode & 07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string user;  // name of uid at backup time, empty if unknown
  std::string group;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t size = 0;  // st_size (regular files, symlinks)
  uint64_t nlink = 1;
  uint64_t dev = 0;  // source st_dev and st_ino: change detection and hardlink groups
  uint64_t ino = 0;
  uint64_t blocks = 0;  // st_blocks (512-byte units): the real allocation of sparse files
  uint64_t rdev = 0;
  std::string symlink_target;
  std::vector<std::pair<std::string, std::string>> xattrs;  // sorted by name
  ObjectId ref;  // version id (regular) or subtree id (directory); zero otherwise

  bool operator==(const TreeEntry&) const = default;
};

struct Tree {
  std::vector<TreeEntry> entries;  // sorted by name, unique

  std::string Encode() const;
  // Validates everything: names (non-empty, no '/', no NUL, not "." or ".."), order and uniqueness, types,
  // lengths. `what` names the object in errors.
  static Result<Tree> Decode(std::string_view bytes, const std::string& what);
  const TreeEntry* Find(std::string_view name) const;
};

// One entry on its own (the snapshot root's metadata lives in the manifest in this form).
void EncodeTreeEntry(const TreeEntry& e, std::string* out);
bool DecodeTreeEntry(class Decoder* d, TreeEntry* e, bool allow_empty_name);

bool IsValidEntryName(std::string_view name);

// Entry times are signed ns since the epoch; tv_nsec is always 0..999999999, also before 1970.
struct timespec TimespecFromNanos(int64_t ns);

}  // namespace strata
