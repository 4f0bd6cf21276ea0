// SnapshotFs: the mount's file system, independent of libfuse. It maps inode numbers to snapshot entries,
// answers lookups, attributes, directory listings, reads, links and xattrs, and keeps the kernel's
// lookup counts so the inode table stays bounded however many files are walked.
//
// Layout: the root holds one directory per snapshot (its display name) and latest/, a real directory
// showing the newest snapshot. Inode numbers come from identity, not from a counter, so they are stable
// across remounts:
//  - a non-directory hashes its path and its whole entry (content version and metadata), so an entry
//    unchanged between snapshots has one inode number in all of them (latest/ included) and the kernel's
//    page cache and GNU diff treat it as one file; hardlinked files hash their source identity instead
//    of the path, so all names of a group share one number (fifos and devices are per view);
//  - a directory hashes its view (snapshot id, or latest plus the snapshot it shows) and its path, so no
//    two directories ever share a number (the kernel rejects directory aliases).
// A hash collision is detected (the table keeps each number's identity) and resolved by probing.
//
// Thread-safe: the FUSE loop calls it from many threads.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/snapshot_cache.h"
#include "store/store.h"

namespace strata {

struct FsEntry {
  uint64_t ino;
  std::string name;
  struct stat st;
};

class SnapshotFs {
 public:
  static constexpr uint64_t kRootIno = 1;

  // `log` receives one line per problem (a damaged object, with the path of the file it belongs to).
  SnapshotFs(Store* store, std::function<void(const std::string&)> log);

  // Each successful Lookup (and each entry of ReaddirPlus) adds one kernel reference to the inode;
  // Forget drops them.
  Result<FsEntry> Lookup(uint64_t parent, std::string_view name);
  void Forget(uint64_t ino, uint64_t nlookup);
  Result<struct stat> GetAttr(uint64_t ino);
  // Entries of a directory from index `offset` on ("." and ".." first); `plus` takes a reference on each
  // entry returned, like Lookup. `fits` is asked before an entry is taken; a false answer stops the
  // listing there (the entry gets no reference).
  Status ReadDir(uint64_t ino, uint64_t offset, bool plus,
                 const std::function<bool(const FsEntry&, uint64_t next)>& fits);
  // A regular file's version id; an error for anything else.
  Result<ObjectId> Open(uint64_t ino);
  // Bytes of a regular file. Corruption (logged, naming the file) if they cannot be read or its extent map
  // disagrees with the size its tree entry gave the kernel.
  Status Read(uint64_t ino, uint64_t offset, size_t size, std::string* out);
  // SEEK_DATA (data = true) or SEEK_HOLE from `offset`; NotFound means ENXIO.
  Result<uint64_t> Seek(const ObjectId& version, uint64_t offset, bool data);
  Result<std::string> ReadLink(uint64_t ino);
  Result<std::string> GetXattr(uint64_t ino, std::string_view name);
  Result<std::vector<std::string>> ListXattr(uint64_t ino);
  size_t inode_count() const;

 private:
  struct View {
    std::string key;  // "s:<snapshot id>" or "l:<snapshot id>" (latest)
    Manifest manifest;
  };
  // What the table keeps of a tree entry: what stat, read, lookup and readdir need. The kernel keeps
  // every inode it has seen while memory is plentiful (100k and more after a walk of many snapshots), so
  // a node holds no more than that (a whole TreeEntry is 264 bytes before its strings).
  struct Attributes {
    ObjectId ref;  // version id (regular) or subtree id (directory)
    uint64_t size = 0;
    uint64_t blocks = 0;
    uint64_t rdev = 0;
    uint64_t nlink = 1;
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
    uint32_t mode = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
    EntryType type = EntryType::kRegular;
  };
  // Rare, so kept apart: most nodes have neither.
  struct Extras {
    std::string symlink_target;
    std::vector<std::pair<std::string, std::string>> xattrs;
  };
  struct Node {
    std::shared_ptr<const View> view;  // null for the root
    std::string path;                  // within the view; "" for the view's root
    Attributes attr;
    std::unique_ptr<const Extras> extras;  // null when the entry has no link target and no xattrs
    // BLAKE2b-256 of what the inode number was derived from: 32 bytes per node instead of a path and an
    // encoded entry, and two different identities never share a hash in practice.
    ObjectId identity;
    uint64_t nlookup = 0;
    // Where the last read of the file ended (regular files only): see Read.
    std::unique_ptr<std::atomic<uint64_t>> read_end;

    void Set(const TreeEntry& e);
  };
  struct Snapshots {
    std::vector<std::pair<std::string, std::shared_ptr<const View>>> by_name;  // incl. "latest"
  };

  std::shared_ptr<const Snapshots> CurrentSnapshots();
  // Whether `shown` shows exactly the snapshots of `list`.
  static bool SameSnapshots(const Snapshots& shown, const std::vector<SnapshotInfo>& list);
  Result<std::shared_ptr<const Node>> Get(uint64_t ino) const;
  // Inserts (or finds) the node for an identity and takes one reference. Guarded by mu_.
  uint64_t Intern(Node node);
  struct stat StatOf(uint64_t ino, const Node& node) const;
  std::string Where(const Node& node) const;

  Store* store_;
  SnapshotCache snapshot_list_;
  std::function<void(const std::string&)> log_;
  mutable std::mutex mu_;
  std::unordered_map<uint64_t, std::shared_ptr<Node>> nodes_;  // guarded by mu_
  std::shared_ptr<const Snapshots> snapshots_;                 // guarded by mu_
  std::chrono::steady_clock::time_point snapshots_loaded_;     // guarded by mu_
  std::shared_ptr<Node> root_;
};

}  // namespace strata
