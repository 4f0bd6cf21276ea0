// PackReader: random access to sealed pack files, and decoding of the objects inside them.
// Thread-safe; keeps a bounded set of pack files open.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/env.h"
#include "store/frame_codec.h"
#include "store/index_entry.h"

namespace strata {

std::string PackPath(const std::string& store_dir, const PackId& id);
// Every sealed pack file in the store (packs/XX/ID.pack; other names are not packs), in no order.
Result<std::vector<PackId>> ListPackFiles(Env* env, const std::string& store_dir);

// Byte offsets of every frame of one object inside its pack, validated against the entry and the pack.
struct FrameTable {
  PackId pack{};                  // the pack it was read from: a prune may move the object to another
  std::vector<uint64_t> offsets;  // frame i occupies [offsets[i], offsets[i+1]) in the pack
};

// Decodes a whole object from its stored bytes, read through `read`: validates its frame table against the
// entry and verifies every frame. Refuses objects larger than `max_size` before reading anything. `what`
// names the object in errors.
Result<std::string> DecodeStoredObject(const FrameCodec& codec, const IndexEntry& entry,
                                       const StoredReader& read, uint64_t max_size, const std::string& what);

class PackReader {
 public:
  PackReader(Env* env, std::string store_dir, const FrameCodec* codec);

  // Reads and validates the object's frame table. Given `frame0`, an object of one frame (most objects:
  // version records, trees, small files) is read whole, in one read instead of two, and its stored frame
  // is left in *frame0 for DecodeFrame; for other objects *frame0 is left empty.
  Result<FrameTable> ReadFrameTable(const IndexEntry& entry, std::string* frame0 = nullptr);
  // Reads stored frame `index` of the object as it is in the pack, unverified, into `stored`.
  Status ReadStoredFrame(const IndexEntry& entry, const FrameTable& table, uint64_t index,
                         std::string* stored);
  // Reads, verifies and decodes frame `index` of the object into `out`.
  Status ReadFrame(const IndexEntry& entry, const FrameTable& table, uint64_t index, std::string* out);
  // Verifies and decodes stored frame `index` of the object, already read, into `out`.
  Status DecodeFrame(const IndexEntry& entry, uint64_t index, std::string_view stored,
                     std::string* out) const;
  // True if frame `index` is a verified all-zero frame (see FrameCodec::IsZeroFrame); reads only the
  // frame, which is exactly the codec's overhead.
  bool IsZeroFrame(const IndexEntry& entry, const FrameTable& table, uint64_t index);
  // Whole object; refuses objects larger than `max_size` before reading anything.
  Result<std::string> ReadObject(const IndexEntry& entry, uint64_t max_size);
  // Reads `n` stored bytes of the object at `at` (relative to its first byte), unverified: for copying the
  // object as it is into a store with the same keys (PackWriter::CopyObject), whose readers verify it.
  Status ReadStored(const IndexEntry& entry, uint64_t at, size_t n, std::string* out);
  // Reads and verifies the trailer of a sealed pack (to recover packs that no index file covers).
  Result<std::vector<IndexEntry>> ReadTrailer(const PackId& id);

 private:
  Result<std::shared_ptr<RandomAccessFile>> Open(const PackId& id);
  // Opens the object's pack and checks that the entry lies inside it.
  Result<std::shared_ptr<RandomAccessFile>> OpenObject(const IndexEntry& entry);
  std::string What(const IndexEntry& entry) const;

  Env* env_;
  std::string store_dir_;
  const FrameCodec* codec_;
  std::mutex mu_;
  std::list<PackId> lru_;  // most recent first; guarded by mu_
  std::unordered_map<std::string, std::pair<std::shared_ptr<RandomAccessFile>, std::list<PackId>::iterator>>
      open_;  // guarded by mu_
};

}  // namespace strata
