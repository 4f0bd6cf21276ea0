#include "store/store.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <unordered_set>

#include "store/coding.h"
#include "store/delta_ops.h"
#include "store/hash.h"
#include "store/store_key.h"

namespace strata {
namespace {

// In-memory caches, by charge (what their entries occupy, near enough). They sit behind the kernel's page
// cache and in front of the block cache, so they need only hold what is in use now: reading all 100
// snapshots of 50k files through a mount peaked at 428 MiB with four times the frames' and twice the
// others' budgets.
constexpr size_t kFrameCacheBytes = 16 << 20;
constexpr size_t kExtentMapCacheBytes = 16 << 20;
constexpr size_t kTreeCacheBytes = 16 << 20;
constexpr size_t kFrameTableCacheBytes = 8 << 20;
// Far beyond any max_chain a store may set; a longer chain can only come from a crafted store.
constexpr size_t kMaxChainWalk = 4096;

std::string Sub(const std::string& store, std::string_view dir) { return store + "/" + std::string(dir); }

size_t ExtentMapCharge(const ExtentMap& map) {
  return 64 + map.extents().size() * sizeof(Extent) + map.sources().size() * 32;
}

// What a decoded tree occupies, near enough: its entries and their strings (the cache budgets real memory).
size_t TreeCharge(const Tree& tree) {
  size_t charge = sizeof(Tree) + tree.entries.capacity() * sizeof(TreeEntry);
  for (const TreeEntry& e : tree.entries) {
    charge += e.name.size() + e.user.size() + e.group.size() + e.symlink_target.size();
    charge += e.xattrs.capacity() * sizeof(std::pair<std::string, std::string>);
    for (const auto& [name, value] : e.xattrs) charge += name.size() + value.size();
  }
  return charge;
}

}  // namespace

ObjectId DeriveObjectId(format::ObjectType type, const ObjectId& inner, const StoreCipher* cipher) {
  Hasher h(cipher != nullptr ? cipher->id_key() : std::string_view());
  char t = static_cast<char>(type);
  h.Update(std::string_view(&t, 1));
  h.Update(inner.View());
  return h.Finish();
}

std::string SnapshotTimeName(int64_t time_ns) {
  time_t secs = static_cast<time_t>(time_ns / 1000000000);
  if (time_ns < 0 && time_ns % 1000000000 != 0) secs--;
  struct tm tm;
  gmtime_r(&secs, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H.%M.%SZ", &tm);
  return buf;
}

std::string Rfc3339(int64_t time_ns) {
  int64_t secs = time_ns / 1000000000;
  int64_t nanos = time_ns % 1000000000;
  if (nanos < 0) {
    nanos += 1000000000;
    secs--;
  }
  time_t t = static_cast<time_t>(secs);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[16];
  snprintf(frac, sizeof frac, ".%09lldZ", static_cast<long long>(nanos));
  return std::string(buf) + frac;
}

Store::Store(Env* env, std::string path, StoreHeader header, std::unique_ptr<const StoreCipher> cipher)
    : env_(env),
      path_(std::move(path)),
      header_(header),
      cipher_(std::move(cipher)),
      codec_(header_.params.zstd_level, cipher_.get()),
      index_(env, path_, cipher_.get()),
      packs_(env, path_, &codec_),
      frame_tables_(kFrameTableCacheBytes),
      frames_(kFrameCacheBytes),
      extent_maps_(kExtentMapCacheBytes),
      trees_(kTreeCacheBytes) {}

Status Store::Init(Env* env, const std::string& path, const StoreParams& params, const SecretBytes* password,
                   KdfStrength strength, const MasterKey* master) {
  if (env->FileExists(path)) {
    auto names = env->ListDir(path);
    if (!names.ok()) return names.status();
    if (!names->empty()) {
      if (env->FileExists(Sub(path, format::kHeaderFile))) {
        return Status::FailedPrecondition(path + ": a store already exists here");
      }
      return Status::FailedPrecondition(path + ": directory is not empty");
    }
  }
  STRATA_RETURN_IF_ERROR(env->CreateDir(path));
  for (auto dir :
       {format::kPacksDir, format::kIndexDir, format::kSnapshotsDir, format::kTmpDir, format::kLocksDir}) {
    STRATA_RETURN_IF_ERROR(env->CreateDir(Sub(path, dir)));
  }
  StoreHeader header;
  InitSodium();
  randombytes_buf(header.uuid.data(), header.uuid.size());
  header.uuid[6] = (header.uuid[6] & 0x0f) | 0x40;  // RFC 4122 version 4
  header.uuid[8] = (header.uuid[8] & 0x3f) | 0x80;
  header.params = params;
  if (password != nullptr && master != nullptr) {
    STRATA_RETURN_IF_ERROR(WrapStoreKey(&header, *master, *password, NewKdfParams(strength)));
  } else if (password != nullptr) {
    STRATA_RETURN_IF_ERROR(CreateStoreKey(&header, *password, NewKdfParams(strength)).status());
  }
  // Round-trip through the validator so that Init cannot write a header Open would refuse.
  std::string bytes = header.Encode();
  STRATA_RETURN_IF_ERROR(StoreHeader::Decode(bytes, path).status());
  // The header goes last: a half-made store has no header and is not mistaken for a store.
  return env->WriteFileAtomic(Sub(path, format::kHeaderFile), bytes);
}

Result<StoreHeader> Store::ReadHeader(Env* env, const std::string& path) {
  const std::string header_path = Sub(path, format::kHeaderFile);
  if (!env->FileExists(path)) return Status::NotFound(path + ": store does not exist");
  if (!env->FileExists(header_path)) {
    return Status::FailedPrecondition(path + ": not a strata store (no " + std::string(format::kHeaderFile) +
                                      " file)");
  }
  STRATA_ASSIGN_OR_RETURN(std::string bytes, env->ReadWholeFile(header_path, format::kMaxHeaderSize));
  return StoreHeader::Decode(bytes, header_path);
}

Result<std::unique_ptr<Store>> Store::Open(Env* env, const std::string& path,
                                           const PasswordSource& password) {
  STRATA_ASSIGN_OR_RETURN(StoreHeader header, ReadHeader(env, path));
  std::unique_ptr<const StoreCipher> cipher;
  if (header.encryption != format::kEncryptionNone) {
    if (!password)
      return Status::FailedPrecondition(path + ": the store is encrypted and no password was given");
    STRATA_ASSIGN_OR_RETURN(SecretBytes secret, password());
    STRATA_ASSIGN_OR_RETURN(MasterKey master, UnlockStoreKey(header, secret, Sub(path, format::kHeaderFile)));
    STRATA_ASSIGN_OR_RETURN(cipher, StoreCipher::FromMasterKey(master));
  }
  std::unique_ptr<Store> store(new Store(env, path, header, std::move(cipher)));
  for (auto dir : {format::kPacksDir, format::kIndexDir, format::kSnapshotsDir, format::kTmpDir}) {
    if (!env->FileExists(Sub(path, dir))) {
      return Status::Corruption(path + ": store directory " + std::string(dir) + "/ is missing");
    }
  }
  // A damaged index file must not make the whole store unreadable: objects it listed show up as missing,
  // naming the files that need them, and check reports the file itself.
  (void)store->index_.Refresh();
  return store;
}

Result<std::vector<SnapshotInfo>> Store::ListSnapshots(std::vector<std::string>* problems) {
  const std::string dir = Sub(path_, format::kSnapshotsDir);
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> names, env_->ListDir(dir));
  std::vector<SnapshotInfo> out;
  for (const std::string& name : names) {
    if (name.size() != 64 + format::kManifestSuffix.size() || !name.ends_with(format::kManifestSuffix))
      continue;
    const std::string file = dir + "/" + name;
    auto bytes = env_->ReadWholeFile(file, format::kMaxManifestSize);
    Result<Manifest> m = bytes.ok() ? DecodeManifest(*bytes, name.substr(0, 64), file) : bytes.status();
    if (m.ok() && m->id.Hex() != name.substr(0, 64)) {
      m = Status::Corruption(file + ": manifest content does not match its name");
    }
    if (!m.ok()) {
      if (problems != nullptr) problems->push_back(m.status().message());
      continue;
    }
    out.push_back(SnapshotInfo{std::move(m).value(), ""});
  }
  std::sort(out.begin(), out.end(), [](const SnapshotInfo& a, const SnapshotInfo& b) {
    return a.manifest.time_ns != b.manifest.time_ns ? a.manifest.time_ns < b.manifest.time_ns
                                                    : a.manifest.id < b.manifest.id;
  });
  std::map<std::string, int> seen;
  for (SnapshotInfo& s : out) {
    std::string base = SnapshotTimeName(s.manifest.time_ns);
    int n = ++seen[base];
    s.name = n == 1 ? base : base + "_" + std::to_string(n);
  }
  return out;
}

Result<SnapshotInfo> Store::FindSnapshot(std::string_view ref) {
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> all, ListSnapshots());
  return FindSnapshotIn(all, ref);
}

Result<SnapshotInfo> Store::FindSnapshotIn(const std::vector<SnapshotInfo>& all, std::string_view ref) const {
  if (ref == "latest") {
    if (all.empty()) return Status::NotFound("store " + path_ + " has no snapshots");
    return all.back();
  }
  const SnapshotInfo* match = nullptr;
  int matches = 0;
  for (const SnapshotInfo& s : all) {
    if (s.name == ref) return s;
  }
  std::string lower(ref);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower.size() >= 4 && lower.find_first_not_of("0123456789abcdef") == std::string::npos) {
    for (const SnapshotInfo& s : all) {
      if (s.manifest.id.Hex().starts_with(lower)) {
        match = &s;
        matches++;
      }
    }
  }
  if (matches == 1) return *match;
  if (matches > 1) return Status::NotFound("snapshot id prefix '" + std::string(ref) + "' is ambiguous");
  return Status::NotFound("no snapshot '" + std::string(ref) + "' in store " + path_);
}

Result<Manifest> Store::DecodeManifest(std::string_view bytes, std::string_view name,
                                       const std::string& what) const {
  if (cipher_ == nullptr) return Manifest::Decode(bytes, what);
  STRATA_ASSIGN_OR_RETURN(std::string plain, cipher_->OpenFile(SealedFile::kManifest, name, bytes, what));
  return Manifest::Decode(plain, what, cipher_->id_key());
}

std::string Store::EncodeManifestFile(Manifest* manifest) const {
  std::string bytes = manifest->Encode(cipher_ != nullptr ? cipher_->id_key() : std::string_view());
  if (cipher_ != nullptr) bytes = cipher_->SealFile(SealedFile::kManifest, manifest->id.Hex(), bytes);
  return bytes;
}

Status Store::CommitManifest(Manifest* manifest) {
  const std::string bytes = EncodeManifestFile(manifest);
  return env_->WriteFileAtomic(
      Sub(path_, format::kSnapshotsDir) + "/" + manifest->id.Hex() + std::string(format::kManifestSuffix),
      bytes);
}

ObjectId Store::KeyCheck() const {
  // A keyed hash of a fixed label: without the key it says nothing about the key.
  return HashBytes("strata key check", cipher_ != nullptr ? cipher_->id_key() : std::string_view());
}

Status Store::RemoveManifest(const ObjectId& id) {
  const std::string dir = Sub(path_, format::kSnapshotsDir);
  STRATA_RETURN_IF_ERROR(env_->RemoveFile(dir + "/" + id.Hex() + std::string(format::kManifestSuffix)));
  return env_->SyncDir(dir);
}

namespace {

Status MissingObject(const ObjectId& id) {
  return Status::Corruption("object " + id.Hex() + " is missing from the store");
}

Status CheckType(const IndexEntry& entry, format::ObjectType type) {
  if (entry.type == type) return Status::Ok();
  return Status::Corruption("object " + entry.id.Hex() + " has type " +
                            std::to_string(static_cast<int>(entry.type)) + ", expected " +
                            std::to_string(static_cast<int>(type)));
}

}  // namespace

Result<IndexEntry> Store::FindEntry(const ObjectId& id, format::ObjectType type) {
  auto entry = index_.Find(id);
  if (!entry) return MissingObject(id);
  STRATA_RETURN_IF_ERROR(CheckType(*entry, type));
  return *entry;
}

bool Store::IndexMoved(uint64_t generation) {
  (void)index_.Refresh();
  return index_.generation() != generation;
}

Result<std::string> Store::ReadObject(const ObjectId& id, format::ObjectType type) {
  return Retried([&]() -> Result<std::string> {
    STRATA_ASSIGN_OR_RETURN(IndexEntry entry, FindEntry(id, type));
    return packs_.ReadObject(entry, format::kMaxMetadataObjectSize);
  });
}

Result<std::shared_ptr<const Tree>> Store::GetTree(const ObjectId& id) {
  if (auto cached = trees_.Get(id)) return cached;
  STRATA_ASSIGN_OR_RETURN(std::string bytes, ReadObject(id, format::ObjectType::kTree));
  STRATA_ASSIGN_OR_RETURN(Tree tree, Tree::Decode(bytes, "tree " + id.Hex()));
  size_t charge = TreeCharge(tree);
  auto shared = std::make_shared<const Tree>(std::move(tree));
  trees_.Put(id, shared, charge);
  return shared;
}

Result<Tree> Store::LoadTree(const ObjectId& id) {
  STRATA_ASSIGN_OR_RETURN(auto tree, GetTree(id));
  return *tree;
}

Result<FileVersion> Store::ReadVersionAt(const IndexEntry& entry) {
  STRATA_RETURN_IF_ERROR(CheckType(entry, format::ObjectType::kVersion));
  STRATA_ASSIGN_OR_RETURN(std::string bytes, packs_.ReadObject(entry, format::kMaxMetadataObjectSize));
  return FileVersion::Decode(bytes, "version " + entry.id.Hex());
}

Result<VersionRecord> Store::LoadVersionRecord(const ObjectId& id) {
  // A FULL record is as shallow as records get, so when the entry found first holds one, no other entry
  // is looked for. Most versions have one entry (more come only from a coalesce, a depth-correcting copy
  // or two backups at once), and looking for more costs a lookup in every index file: with 100 of them,
  // `cp -a` of a snapshot through a mount took 25% longer.
  std::optional<VersionRecord> lowest;
  Status first_error;
  // Keeps the shallowest readable record; true once that is a FULL one.
  auto consider = [&](const IndexEntry& entry) {
    Result<FileVersion> v = ReadVersionAt(entry);
    if (!v.ok()) {
      if (first_error.ok()) first_error = v.status();
      return false;
    }
    if (!lowest || v->depth < lowest->version.depth) lowest = VersionRecord{entry, std::move(v).value()};
    return lowest->version.kind == FileVersion::Kind::kFull;
  };
  const std::optional<IndexEntry> first = index_.Find(id);
  if (!first) return MissingObject(id);
  if (!consider(*first)) {
    for (const IndexEntry& entry : index_.FindAll(id)) {
      if (entry.pack == first->pack && entry.offset == first->offset) continue;
      if (consider(entry)) break;
    }
  }
  if (!lowest) return first_error;
  return std::move(*lowest);
}

Result<FileVersion> Store::LoadVersion(const ObjectId& id) {
  STRATA_ASSIGN_OR_RETURN(VersionRecord record, LoadVersionRecord(id));
  return std::move(record.version);
}

std::shared_ptr<const ExtentMap> Store::CachedExtentMap(const ObjectId& version_id) {
  if (auto cached = extent_maps_.Get(version_id)) return cached;
  BlockCache* block_cache = block_cache_.load();
  if (block_cache == nullptr) return nullptr;
  auto bytes = block_cache->Get(BlockCache::ExtentMapKey(version_id));
  if (!bytes) return nullptr;
  // Validated like anything read from disk; an invalid map is a miss and is composed again.
  auto decoded = ExtentMap::Decode(*bytes);
  if (!decoded.ok()) return nullptr;
  auto map = std::make_shared<const ExtentMap>(std::move(decoded).value());
  extent_maps_.Put(version_id, map, ExtentMapCharge(*map));
  return map;
}

void Store::RememberExtentMap(const ObjectId& version_id, const std::shared_ptr<const ExtentMap>& map,
                              bool composed) {
  extent_maps_.Put(version_id, map, ExtentMapCharge(*map));
  // A FULL version's map comes from its record alone, as cheaply as from the block cache; only maps that
  // took a chain of delta records to compose are worth a cache write.
  BlockCache* block_cache = block_cache_.load();
  if (block_cache == nullptr || !composed) return;
  std::string bytes;
  map->Encode(&bytes);
  block_cache->Put(BlockCache::ExtentMapKey(version_id), bytes);
}

Result<std::shared_ptr<const ExtentMap>> Store::GetExtentMap(const ObjectId& version_id) {
  if (auto cached = CachedExtentMap(version_id)) return cached;
  // Walk down to a FULL version or a cached map, then compose back up. Iterative, with cycle and depth
  // checks, because the chain comes from disk.
  std::vector<std::pair<ObjectId, FileVersion>> chain;
  std::unordered_set<ObjectId, ObjectIdHash> visited;
  std::shared_ptr<const ExtentMap> map;
  ObjectId id = version_id;
  while (true) {
    if (!visited.insert(id).second)
      return Status::Corruption("version " + version_id.Hex() + ": cyclic delta chain");
    if (chain.size() > kMaxChainWalk)
      return Status::Corruption("version " + version_id.Hex() + ": delta chain too long");
    STRATA_ASSIGN_OR_RETURN(FileVersion v, LoadVersion(id));
    // Not depth + 1: the base may have been coalesced to a shallower record since (LoadVersion). Strictly
    // shallower still bounds every chain by its first record's depth.
    if (!chain.empty() && v.depth >= chain.back().second.depth) {
      return Status::Corruption("version " + chain.back().first.Hex() +
                                ": chain depth is not above its base's");
    }
    // The base's record is checked above even when its map is cached, so a bad record never reads
    // differently depending on what was read before.
    if (!chain.empty() && (map = CachedExtentMap(id))) break;
    bool full = v.kind == FileVersion::Kind::kFull;
    ObjectId next = v.base;
    chain.emplace_back(id, std::move(v));
    if (full) break;
    id = next;
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const auto& [vid, v] = *it;
    const std::string what = "version " + vid.Hex();
    STRATA_ASSIGN_OR_RETURN(IndexEntry payload, FindEntry(v.payload, format::ObjectType::kData));
    if (v.kind == FileVersion::Kind::kFull) {
      if (payload.raw_size != v.size) return Status::Corruption(what + ": content object has the wrong size");
      map = std::make_shared<const ExtentMap>(ExtentMap::Full(v.payload, v.size));
    } else {
      if (payload.raw_size != v.literal_size)
        return Status::Corruption(what + ": literal object has the wrong size");
      auto ops = DecodeOps(v.ops, v.size, map->size(), v.literal_size);
      if (!ops.ok()) return ops.status().WithContext(what);
      auto composed = ExtentMap::Compose(*map, *ops, v.payload);
      if (!composed.ok()) return composed.status().WithContext(what);
      map = std::make_shared<const ExtentMap>(std::move(composed).value());
    }
    RememberExtentMap(vid, map, v.kind != FileVersion::Kind::kFull);
  }
  return map;
}

std::shared_ptr<const FrameTable> Store::CachedFrameTable(const IndexEntry& entry) {
  auto cached = frame_tables_.Get(entry.id);
  if (cached && (cached->pack != entry.pack || cached->offsets.front() != entry.offset)) return nullptr;
  return cached;
}

Result<std::shared_ptr<const FrameTable>> Store::GetFrameTable(const IndexEntry& entry, std::string* frame0) {
  if (frame0 != nullptr) frame0->clear();
  if (auto cached = CachedFrameTable(entry)) return cached;
  STRATA_ASSIGN_OR_RETURN(FrameTable t, packs_.ReadFrameTable(entry, frame0));
  auto table = std::make_shared<const FrameTable>(std::move(t));
  frame_tables_.Put(entry.id, table, 64 + table->offsets.size() * 8);
  return table;
}

Result<uint64_t> Store::SeekVersion(const ObjectId& version_id, uint64_t offset, bool data) {
  return Retried([&]() -> Result<uint64_t> {
    STRATA_ASSIGN_OR_RETURN(auto map, GetExtentMap(version_id));
    if (offset >= map->size()) return Status::NotFound("offset past the end of the file");
    for (const Extent& e : map->Lookup(offset, map->size() - offset)) {
      STRATA_ASSIGN_OR_RETURN(IndexEntry entry,
                              FindEntry(map->sources()[e.source], format::ObjectType::kData));
      STRATA_ASSIGN_OR_RETURN(auto table, GetFrameTable(entry));
      uint64_t pos = std::max(offset, e.offset);
      while (pos < e.offset + e.length) {
        uint64_t in_payload = e.source_offset + (pos - e.offset);
        uint64_t frame = in_payload >> entry.frame_log2;
        if (frame + 1 >= table->offsets.size()) return Status::Corruption("extent beyond its payload");
        uint64_t frame_end = std::min((frame + 1) << entry.frame_log2, entry.raw_size);
        // Holes start at frame boundaries; the rest of a zero frame entered midway counts as data, which
        // SEEK_DATA/SEEK_HOLE allow (it still reads as zeros).
        bool hole = in_payload == (frame << entry.frame_log2) && packs_.IsZeroFrame(entry, *table, frame);
        if (hole != data) return pos;
        pos += frame_end - in_payload;
      }
    }
    if (data) return Status::NotFound("no data after the offset");
    return map->size();
  });
}

// Which frames are worth a block-cache entry, given `stored`, the frame's stored size. A zero frame (no
// body) decodes from its 17 stored bytes. A frame stored raw (its stored size is its raw size plus the
// overhead: strata-store(5), FRAMES) is worth one only for reads of a part of it (`part`): from its pack,
// the part costs a read and a check (in an encrypted store, a decryption) of the whole frame, from the
// cache those of the 4 KiB segments it lies in; read whole, it comes from the pack as cheaply as from the
// cache. A compressed frame costs a decompression from its pack.
bool Store::WorthCaching(uint64_t stored, uint64_t frame_size, bool part) const {
  if (stored == codec_.overhead()) return false;
  return part || stored != frame_size + codec_.overhead();
}

Result<Store::PieceBytes> Store::ReadPiece(const Piece& piece, Access access) {
  const IndexEntry& entry = *piece.entry;
  const uint64_t frame = piece.frame;
  std::string key(entry.id.View());
  PutFixed64(&key, frame);
  if (auto cached = frames_.Get(key)) return PieceBytes{cached, piece.in_frame};
  const uint64_t frame_size = entry.FrameRawSize(frame);
  const bool part = piece.take < frame_size;
  // A sequential reader (cat, cp, a restore) neither reads the block cache nor fills it: the packs, read in
  // order under the kernel's readahead, serve it faster than values scattered over the cache file (a cold
  // `cat` of 1 GiB through a mount took 1.15-2.2 s with lookups, 0.90-1.05 s without), and the page cache
  // keeps what it read. Its first reads, before the readahead has grown, take frames in part too.
  BlockCache* block_cache = access == Access::kRandom ? block_cache_.load() : nullptr;
  const std::string cache_key = block_cache != nullptr ? BlockCache::FrameKey(entry.id, frame) : "";
  // A frame not worth caching is not looked up either, when its stored size is known without reading
  // anything: a one-frame object's follows from its index entry (its frame table is 4 bytes), another's
  // from a frame table in memory. Most frames of small files are such (a walk over every snapshot of a
  // 50k-file store made 175k lookups that could only miss).
  std::shared_ptr<const FrameTable> table = entry.FrameCount() == 1 ? nullptr : CachedFrameTable(entry);
  std::optional<uint64_t> known_stored;
  if (entry.FrameCount() == 1) {
    known_stored = entry.stored_len - 4;
  } else if (table) {
    known_stored = table->offsets[frame + 1] - table->offsets[frame];
  }
  if (block_cache != nullptr && (!known_stored || WorthCaching(*known_stored, frame_size, part))) {
    // Only the piece, when that is all the read needs: the cache then checks (in an encrypted store, opens)
    // only the segments it lies in. The cache verified the bytes; a wrong length can only be a bug, and is
    // treated as a miss.
    const uint64_t want = part ? piece.take : frame_size;
    auto bytes = block_cache->GetRange(cache_key, part ? piece.in_frame : 0, want);
    if (bytes && bytes->size() == want) {
      auto out = std::make_shared<const std::string>(std::move(*bytes));
      if (!part) frames_.Put(key, out, out->size() + 64);
      return PieceBytes{std::move(out), 0};
    }
  }
  std::string stored0;  // a one-frame object's frame, read with its table
  if (!table) {
    STRATA_ASSIGN_OR_RETURN(table, GetFrameTable(entry, &stored0));
  }
  auto out = std::make_shared<std::string>();
  STRATA_RETURN_IF_ERROR(stored0.empty() ? packs_.ReadFrame(entry, *table, frame, out.get())
                                         : packs_.DecodeFrame(entry, frame, stored0, out.get()));
  frames_.Put(key, out, out->size() + 64);
  // Admission: only a frame a random reader needed in part. It is likely to come back for another part,
  // and the cache spares it decoding a whole frame for a few KiB. A frame read whole is not: decoding it
  // from its pack again costs no more than reading the decoded frame back from the cache, which is
  // several times larger (bench/RESULTS-crypto.md).
  if (block_cache != nullptr && part &&
      WorthCaching(table->offsets[frame + 1] - table->offsets[frame], frame_size, part)) {
    block_cache->Put(cache_key, *out);
  }
  return PieceBytes{std::move(out), piece.in_frame};
}

Status Store::AddPieces(const ObjectId& payload, uint64_t offset, size_t n, std::vector<Piece>* pieces) {
  STRATA_ASSIGN_OR_RETURN(IndexEntry entry, FindEntry(payload, format::ObjectType::kData));
  if (offset > entry.raw_size || n > entry.raw_size - offset) {
    return Status::Corruption("object " + payload.Hex() + ": read past its end");
  }
  auto shared = std::make_shared<const IndexEntry>(entry);
  while (n > 0) {
    uint64_t frame = offset >> entry.frame_log2;
    uint64_t in_frame = offset - (frame << entry.frame_log2);
    uint64_t frame_size = entry.FrameRawSize(frame);
    size_t take = std::min<uint64_t>(n, frame_size - in_frame);
    pieces->push_back(Piece{shared, frame, in_frame, take});
    offset += take;
    n -= take;
  }
  return Status::Ok();
}

Status Store::ReadPieces(const std::vector<Piece>& pieces, Access access, std::string* out) {
  // Frames decode independently: a read that spans several (a large sequential read) decodes them on
  // several cores, which is what keeps an encrypted store's reads near a plain one's.
  std::vector<PieceBytes> read(pieces.size());
  std::vector<Status> errors(pieces.size());
  decode_pool_.ParallelFor(pieces.size(), [&](size_t i) {
    auto bytes = ReadPiece(pieces[i], access);
    if (bytes.ok()) {
      read[i] = std::move(bytes).value();
    } else {
      errors[i] = bytes.status();
    }
  });
  for (size_t i = 0; i < pieces.size(); i++) {
    STRATA_RETURN_IF_ERROR(errors[i]);
    out->append(read[i].bytes->data() + read[i].at, pieces[i].take);
  }
  return Status::Ok();
}

Status Store::ReadPayload(const ObjectId& payload, uint64_t offset, size_t n, std::string* out) {
  const size_t before = out->size();
  return Retried([&]() -> Status {
    out->resize(before);
    std::vector<Piece> pieces;
    STRATA_RETURN_IF_ERROR(AddPieces(payload, offset, n, &pieces));
    return ReadPieces(pieces, Access::kSequential, out);
  });
}

Status Store::ReadVersion(const ObjectId& version_id, uint64_t offset, size_t n, std::string* out,
                          std::optional<uint64_t> listed_size, Access access) {
  return Retried([&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(auto map, GetExtentMap(version_id));
    if (listed_size && *listed_size != map->size())
      return ListedSizeMismatch(*listed_size, version_id, map->size(), "");
    out->clear();
    if (offset >= map->size()) return Status::Ok();
    n = std::min<uint64_t>(n, map->size() - offset);
    out->reserve(n);
    std::vector<Piece> pieces;
    for (const Extent& e : map->Lookup(offset, n)) {
      uint64_t begin = std::max(offset, e.offset);
      uint64_t end = std::min(offset + n, e.offset + e.length);
      STRATA_RETURN_IF_ERROR(
          AddPieces(map->sources()[e.source], e.source_offset + (begin - e.offset), end - begin, &pieces));
    }
    return ReadPieces(pieces, access, out);
  });
}

Result<TreeEntry> Store::Lookup(const Manifest& manifest, std::string_view path) {
  TreeEntry current = manifest.root;
  std::string walked;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (current.type != EntryType::kDirectory) {
      return Status::NotFound(walked + ": not a directory in snapshot " + manifest.id.Hex().substr(0, 12));
    }
    STRATA_ASSIGN_OR_RETURN(Tree tree, LoadTree(current.ref));
    walked += (walked.empty() ? "" : "/") + std::string(part);
    const TreeEntry* e = tree.Find(part);
    if (e == nullptr)
      return Status::NotFound(walked + ": no such file in snapshot " + manifest.id.Hex().substr(0, 12));
    current = *e;
  }
  return current;
}

std::unique_ptr<PackWriter> Store::NewPackWriter(std::string_view lock_id) {
  return std::make_unique<PackWriter>(env_, path_, &codec_, header_.params.pack_target_size,
                                      std::string(lock_id));
}

Status Store::CommitObjects(std::vector<IndexEntry> entries) {
  if (entries.empty()) return Status::Ok();
  for (const IndexEntry& e : entries) index_.AddLocal(e);
  return ObjectIndex::Write(env_, path_, std::move(entries), cipher_.get()).status();
}

}  // namespace strata
