// PackWriter: appends objects to one pack file at a time and seals it (trailer, fsync, rename) when it
// reaches its target size. Packs are immutable once sealed; an unsealed pack lives under tmp/ and is
// never seen by readers, so a crash mid-pack loses nothing already committed. Its name there carries the
// id of the store lock the writer holds, so that a dead writer's unsealed pack is known as such at once
// (temp_packs.h).
//
// Objects are streamed: BeginObject, Append any number of times, then FinishObject (or AbortObject,
// which truncates the pack back as if the object had never been written: the writer uses that when a
// file's content turns out to be in the store already). Not thread-safe: one writer per thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "store/env.h"
#include "store/frame_codec.h"
#include "store/index_entry.h"

namespace strata {

class PackWriter {
 public:
  // `lock_id`: StoreLock::id() of the lock the writer holds, or empty (no lock: unit tests).
  PackWriter(Env* env, std::string store_dir, const FrameCodec* codec, uint64_t target_size,
             std::string lock_id = {});
  ~PackWriter();
  PackWriter(const PackWriter&) = delete;
  PackWriter& operator=(const PackWriter&) = delete;

  // The object's frames hold 2^frame_log2 raw bytes, or 2^small_frame_log2 (when smaller) if its first
  // full frame does not compress to half its size: a random read fetches and checks a whole stored frame,
  // and a frame that hardly compresses gains nothing by being large (strata-store(5), FRAMES).
  Status BeginObject(format::ObjectType type, uint8_t frame_log2, uint8_t small_frame_log2 = 0);
  Status Append(std::string_view raw);
  // Seals the object under `id`; may seal the pack if it reached its target size.
  Result<IndexEntry> FinishObject(const ObjectId& id);
  Status AbortObject();
  // Appends an object exactly as `from` describes it in another store whose frames this store's codec
  // opens (same keys): its stored bytes, read through `read`, go in unchanged under the same id, type,
  // salt and sizes, which is all the frames are bound to. Returns its entry in this pack.
  Result<IndexEntry> CopyObject(const IndexEntry& from, const StoredReader& read);
  // Whole object in one call.
  Result<IndexEntry> WriteObject(format::ObjectType type, const ObjectId& id, std::string_view raw,
                                 uint8_t frame_log2);

  // Copies an object stored in another pack verbatim (a prune's repack): BeginCopy, AppendStored with its
  // frames and then its frame table, exactly `source.stored_len` bytes in all, then FinishCopy (or
  // AbortObject). Frames are bound to the object's salt, frame index and size, never to a pack or an
  // offset, so they stay valid, encrypted ones included. The entry is `source` at its new place.
  Status BeginCopy(const IndexEntry& source);
  Status AppendStored(std::string_view stored);
  Result<IndexEntry> FinishCopy();

  // Seals the current pack, if any. After it returns OK every entry handed out is durable on disk.
  Status Flush();
  // Entries of sealed packs not yet taken.
  std::vector<IndexEntry> TakeSealedEntries();
  // Bytes written to sealed packs so far (the manifest's "bytes added").
  uint64_t bytes_sealed() const { return bytes_sealed_; }

 private:
  Status OpenPack();
  Status EmitFrame(std::string_view raw);
  Status FlushBuffer();
  Status SealPack();
  // Ends the current object: records its entry, and seals the pack if it reached its target size.
  Result<IndexEntry> EndObject();
  // Drops everything written from `offset` on (the object being written).
  Status TruncateTo(uint64_t offset);

  Env* env_;
  std::string store_dir_;
  const FrameCodec* codec_;
  uint64_t target_size_;
  std::string lock_id_;

  std::unique_ptr<WritableFile> file_;
  PackId pack_id_{};
  std::string tmp_path_;
  std::string buffer_;  // stored bytes not yet written to file_
  std::vector<IndexEntry> pack_entries_;
  std::vector<IndexEntry> sealed_entries_;
  uint64_t bytes_sealed_ = 0;

  // The object being written.
  bool in_object_ = false;
  IndexEntry current_;
  uint8_t small_frame_log2_ = 0;
  std::string pending_raw_;  // raw bytes of the current, not yet full frame
  std::vector<uint32_t> frame_sizes_;
};

}  // namespace strata
