// ContentWriter: stores the content of one regular file, read once. In that single pass it hashes the
// content, computes the new librsync signature and, when the file has a previous version, a delta against
// that version's stored signature (the old file is never needed). New content is stored FULL; a delta too
// large for its worth, or one that would make the chain longer than max_chain, is stored FULL instead.
// Content already in the store is not stored again.
//
// One ContentWriter per thread (it owns a PackWriter); the Store and the SessionObjects it shares are
// thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include "store/store.h"

namespace strata {

// Frames of metadata objects (trees, signatures, version records).
inline constexpr uint8_t kMetadataFrameLog2 = 20;

// Begins a data object of file content in `pack`, framed as the store's parameters say.
Status BeginContentObject(const Store& store, PackWriter* pack);

// Objects written by any thread of one backup, so that two threads never store the same object twice.
class SessionObjects {
 public:
  explicit SessionObjects(Store* store) : store_(store) {}
  // True if the object is in the store or already claimed by this session; otherwise claims it for the
  // caller, who must then write it (or Release it).
  bool ExistsOrClaim(const ObjectId& id);
  void Release(const ObjectId& id);
  bool Exists(const ObjectId& id);

 private:
  Store* store_;
  std::mutex mu_;
  std::unordered_set<ObjectId, ObjectIdHash> claimed_;  // guarded by mu_
};

struct ContentOptions {
  uint32_t max_chain = 0;        // 0: the store's default
  double delta_max_ratio = 0.5;  // a delta whose size exceeds this share of the file is stored FULL
  std::string lock_id;           // of the backup's store lock: its temporary packs carry it
};

struct ContentResult {
  ObjectId version;
  bool stored = false;  // new content (false: identical content was in the store)
  bool delta = false;   // stored as a delta
  uint64_t bytes_read = 0;
  // What storing it saved: the file's bytes a delta copies from its base instead of storing them, and the
  // bytes compression took off its new data object.
  uint64_t delta_saved = 0;
  uint64_t compression_saved = 0;
  std::string warning;     // non-empty if the file changed while being read
  std::string unreadable;  // non-empty if reading the source failed: nothing was stored
};

class ContentWriter {
 public:
  ContentWriter(Store* store, SessionObjects* session, ContentOptions options);
  ~ContentWriter();

  // `fd` is open for reading at any offset; `path` names it in messages; `base` is the file's version in the
  // parent snapshot, if any.
  Result<ContentResult> Write(int fd, const std::string& path, const std::optional<ObjectId>& base);

  // Seals the open pack; afterwards every object written is durable. Returns their index entries.
  Result<std::vector<IndexEntry>> Flush();
  uint64_t bytes_written() const { return pack_->bytes_sealed(); }

  // Stores a metadata object (tree) unless present; returns its id.
  Result<ObjectId> WriteMetadata(format::ObjectType type, std::string_view bytes);

 private:
  struct Pass;
  Result<Pass> ReadPass(int fd, const std::string& path, const FileVersion* base,
                        const std::string* base_sig);

  Store* store_;
  SessionObjects* session_;
  ContentOptions options_;
  std::unique_ptr<PackWriter> pack_;
};

}  // namespace strata
