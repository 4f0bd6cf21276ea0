// Store: one opened store directory. Reads the header, lists snapshots, finds and decodes objects, and
// rebuilds any byte range of any file version through its composed extent map. Writers get PackWriters
// from it and commit through it. Thread-safe: one Store serves many reader threads.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/block_cache.h"
#include "store/env.h"
#include "store/extent_map.h"
#include "store/file_version.h"
#include "store/format.h"
#include "store/frame_codec.h"
#include "store/lru_cache.h"
#include "store/manifest.h"
#include "store/master_key.h"
#include "store/object_index.h"
#include "store/pack_reader.h"
#include "store/pack_writer.h"
#include "store/password_kdf.h"
#include "store/secret_bytes.h"
#include "store/store_cipher.h"
#include "store/store_header.h"
#include "store/tree.h"
#include "store/work_pool.h"

namespace strata {

// Object ids are BLAKE2b-256(type byte || inner), keyed with the object-id subkey in an encrypted store
// (`cipher` non-null) so that ids reveal nothing about content. For trees, signatures and delta literal
// streams, inner is BLAKE2b-256 of the object's bytes; for a version record and for a FULL data object it
// is the content hash of the file content they stand for (signature_builder.h), so identical content maps
// to one id.
ObjectId DeriveObjectId(format::ObjectType type, const ObjectId& inner, const StoreCipher* cipher = nullptr);

// Asked for the password only when the store is encrypted; an empty function means none is available.
using PasswordSource = std::function<Result<SecretBytes>()>;

// One stored record of a file version and where it lies.
struct VersionRecord {
  IndexEntry entry;
  FileVersion version;
};

struct SnapshotInfo {
  Manifest manifest;
  std::string name;  // UTC time without colons, "_2" etc. on a clash: the mount's directory name
};

// "2026-11-22T10.15.30Z"
std::string SnapshotTimeName(int64_t time_ns);
// RFC 3339 UTC, "2026-11-22T10:15:30.123456789Z"
std::string Rfc3339(int64_t time_ns);

class Store {
 public:
  // Creates a new store at `path` (missing or an empty directory): encrypted under `password` with
  // `strength`'s Argon2id costs, or plain when `password` is null. Given `master` (with a password), the
  // store gets that master key instead of a new one: every subkey, hence every object id and every sealed
  // byte, is then the same as in the store the key comes from (strata init --from).
  static Status Init(Env* env, const std::string& path, const StoreParams& params,
                     const SecretBytes* password = nullptr, KdfStrength strength = kDefaultKdfStrength,
                     const MasterKey* master = nullptr);
  // The decoded header of the store at `path`, without unlocking anything.
  static Result<StoreHeader> ReadHeader(Env* env, const std::string& path);
  // Opens an existing store; a missing directory, a missing or damaged header or a newer format version is
  // an error naming the path. An encrypted store asks `password` once and unlocks its key (one Argon2id
  // derivation): no source is FailedPrecondition, a wrong password WrongPassword; nothing is written.
  static Result<std::unique_ptr<Store>> Open(Env* env, const std::string& path,
                                             const PasswordSource& password = {});

  const std::string& path() const { return path_; }
  const StoreHeader& header() const { return header_; }
  Env* env() const { return env_; }
  const FrameCodec& codec() const { return codec_; }
  bool encrypted() const { return cipher_ != nullptr; }
  // Null for a plain store.
  const StoreCipher* cipher() const { return cipher_.get(); }
  ObjectId DeriveId(format::ObjectType type, const ObjectId& inner) const {
    return DeriveObjectId(type, inner, cipher_.get());
  }
  // Names this store's keys without revealing them: equal in two stores exactly when both are plain or
  // both have the same master key, that is when the frames, ids and sealed files of one are valid in the
  // other (strata-store(5), "SYNC STREAMS").
  ObjectId KeyCheck() const;

  // Consults (and fills) `cache` for decoded frames and composed extent maps, after the in-memory caches
  // and before the packs. For an encrypted store, open the cache with this store's cipher so that its
  // values are sealed (LmdbBlockCacheOptions::cipher). Call before the Store is shared between threads; the
  // cache must outlive it (or be unset with nullptr first). May be called while other threads read: a cache
  // can be attached once the mount already serves.
  void SetBlockCache(BlockCache* cache) { block_cache_.store(cache); }

  // Every readable snapshot, oldest first, with display names. Damaged manifests are skipped and
  // reported through `problems` (if given), one line each.
  Result<std::vector<SnapshotInfo>> ListSnapshots(std::vector<std::string>* problems = nullptr);
  // Full id, unique id prefix, name, or "latest".
  Result<SnapshotInfo> FindSnapshot(std::string_view ref);
  // The snapshot `ref` names among `all` (as ListSnapshots returns them), for callers that keep the list.
  Result<SnapshotInfo> FindSnapshotIn(const std::vector<SnapshotInfo>& all, std::string_view ref) const;
  // Makes the snapshot visible: call only once every object it references is committed.
  Status CommitManifest(Manifest* manifest);
  // A manifest file's bytes as CommitManifest writes them (sealed in an encrypted store); sets its id.
  std::string EncodeManifestFile(Manifest* manifest) const;
  // The inverse: a manifest file's bytes, opened first in an encrypted store; `name` is its id in hex.
  Result<Manifest> DecodeManifest(std::string_view bytes, std::string_view name,
                                  const std::string& what) const;
  // Forgets a snapshot: removes its manifest and syncs the directory, so the removal is durable when this
  // returns. Nothing else changes: the objects stay where they are until a prune.
  Status RemoveManifest(const ObjectId& id);

  // Objects.
  Status RefreshIndex() { return index_.Refresh(); }
  bool HasObject(const ObjectId& id) const { return index_.Find(id).has_value(); }
  ObjectIndex& index() { return index_; }
  PackReader& packs() { return packs_; }
  Result<std::string> ReadObject(const ObjectId& id, format::ObjectType type);
  Result<Tree> LoadTree(const ObjectId& id);
  // The cached, shared form: no copy of the entries.
  Result<std::shared_ptr<const Tree>> GetTree(const ObjectId& id);
  // A version id can have several records (a coalesce adds shallower ones, strata-store(5), "Coalescing"),
  // each rebuilding the same content; readers take the one of the lowest depth, so a coalesced chain is
  // read as such at once. A record that cannot be read is passed over while another one can.
  Result<FileVersion> LoadVersion(const ObjectId& id);
  Result<VersionRecord> LoadVersionRecord(const ObjectId& id);
  // The version record at `entry`, one of possibly several records of its id.
  Result<FileVersion> ReadVersionAt(const IndexEntry& entry);
  Result<std::shared_ptr<const ExtentMap>> GetExtentMap(const ObjectId& version_id);
  // Who reads a file: a random reader's reads use the block cache, and the frames they need in part go
  // into it; a sequential reader's never touch it (ReadPiece).
  enum class Access { kRandom, kSequential };
  // Reads up to `n` bytes at `offset` of a file version into `out` (short only at end of file).
  // Given `listed_size` (the size a tree entry gave for the file), a version of another size is Corruption.
  Status ReadVersion(const ObjectId& version_id, uint64_t offset, size_t n, std::string* out,
                     std::optional<uint64_t> listed_size = std::nullopt, Access access = Access::kRandom);
  // Reads [offset, offset+n) of a data object, decoding only the frames it touches, as a sequential reader.
  Status ReadPayload(const ObjectId& payload, uint64_t offset, size_t n, std::string* out);

  // SEEK_DATA / SEEK_HOLE over a file version: the first offset >= `offset` that holds data (or that starts
  // a hole, when `data` is false). Holes are whole verified zero frames; the end of the file is a hole.
  // Past the end, or no data after `offset`, is NotFound (ENXIO for lseek).
  Result<uint64_t> SeekVersion(const ObjectId& version_id, uint64_t offset, bool data);

  // Resolves a '/'-separated path relative to the snapshot root ("" or "." is the root itself).
  Result<TreeEntry> Lookup(const Manifest& manifest, std::string_view path);

  // Writing.
  // `lock_id`: StoreLock::id() of the writer's lock, carried by its temporary packs (temp_packs.h).
  std::unique_ptr<PackWriter> NewPackWriter(std::string_view lock_id = {});
  // Makes sealed objects findable by other processes: writes an index file (durably).
  Status CommitObjects(std::vector<IndexEntry> entries);
  // The size of the index file CommitObjects writes for `entries` distinct objects.
  uint64_t IndexFileSize(size_t entries) const {
    return format::kIndexHeaderSize + entries * format::kIndexEntrySize + format::kChecksumSize +
           (cipher_ != nullptr ? format::kSealedFileOverhead : 0);
  }

 private:
  Store(Env* env, std::string path, StoreHeader header, std::unique_ptr<const StoreCipher> cipher);
  Result<IndexEntry> FindEntry(const ObjectId& id, format::ObjectType type);
  // The Status of a Status or of a Result, for Retried.
  static const Status& StatusOf(const Status& s) { return s; }
  template <typename T>
  static const Status& StatusOf(const Result<T>& r) {
    return r.status();
  }
  // Runs `read`; if it fails and the index files changed since it began, runs it once more. A prune writes
  // the new index file and removes the old ones before it deletes a pack, so a reader that finds a pack gone
  // finds the object's new place in the index as it is now (strata-store(5), "Pruning").
  template <typename Read>
  auto Retried(Read read) -> decltype(read()) {
    const uint64_t generation = index_.generation();
    auto result = read();
    if (!result.ok() && !StatusOf(result).IsNotFound() && IndexMoved(generation)) result = read();
    return result;
  }
  // Maps the index files as they are now; true if that changed anything since `generation`.
  bool IndexMoved(uint64_t generation);
  // The object's frame table if cached for the place `entry` gives, else null.
  std::shared_ptr<const FrameTable> CachedFrameTable(const IndexEntry& entry);
  bool WorthCaching(uint64_t stored, uint64_t frame_size, bool part) const;
  // `take` bytes at `in_frame` of one frame of a data object.
  struct Piece {
    std::shared_ptr<const IndexEntry> entry;
    uint64_t frame;
    uint64_t in_frame;
    size_t take;
  };
  // A piece's bytes: at `at` in `bytes`, which hold its whole frame, or only the piece when the block cache
  // served just that.
  struct PieceBytes {
    std::shared_ptr<const std::string> bytes;
    size_t at = 0;
  };
  Result<PieceBytes> ReadPiece(const Piece& piece, Access access);
  // Appends the pieces of [offset, offset+n) of a data object, in order.
  Status AddPieces(const ObjectId& payload, uint64_t offset, size_t n, std::vector<Piece>* pieces);
  Status ReadPieces(const std::vector<Piece>& pieces, Access access, std::string* out);
  // The object's frame table; given `frame0`, see PackReader::ReadFrameTable (left empty when cached).
  Result<std::shared_ptr<const FrameTable>> GetFrameTable(const IndexEntry& entry,
                                                          std::string* frame0 = nullptr);
  // A version's composed map from the in-memory cache or the block cache, or null.
  std::shared_ptr<const ExtentMap> CachedExtentMap(const ObjectId& version_id);
  void RememberExtentMap(const ObjectId& version_id, const std::shared_ptr<const ExtentMap>& map,
                         bool composed);

  Env* env_;
  std::string path_;
  StoreHeader header_;
  std::unique_ptr<const StoreCipher> cipher_;  // before everything that uses it
  FrameCodec codec_;
  ObjectIndex index_;
  PackReader packs_;
  LruCache<ObjectId, FrameTable, ObjectIdHash> frame_tables_;
  LruCache<std::string, std::string> frames_;
  LruCache<ObjectId, ExtentMap, ObjectIdHash> extent_maps_;
  LruCache<ObjectId, Tree, ObjectIdHash> trees_;
  std::atomic<BlockCache*> block_cache_{nullptr};
  WorkPool decode_pool_{WorkPool::DefaultHelpers()};  // last: its threads stop before the rest goes
};

}  // namespace strata
