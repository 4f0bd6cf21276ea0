#include "store/pack_reader.h"

#include "store/coding.h"
#include "store/hash.h"

namespace strata {
namespace {
constexpr size_t kMaxOpenPacks = 128;
constexpr uint64_t kFrameTableChunk = 16384;  // frame sizes read at once

Status DecodeFrameOf(const FrameCodec& codec, const IndexEntry& entry, uint64_t index,
                     std::string_view stored, std::string* out, const std::string& what) {
  uint64_t frame_raw = entry.FrameRawSize(index);
  return codec.Decode(stored, entry.salt, static_cast<uint32_t>(index), frame_raw, out, what);
}

// The frame table of an object whose stored bytes `read` yields, validated against the entry; its offsets
// are counted from `base`. Given `frame0`, see PackReader::ReadFrameTable.
Result<FrameTable> ParseFrameTable(const FrameCodec& codec, const IndexEntry& entry, const StoredReader& read,
                                   uint64_t base, std::string* frame0, const std::string& what) {
  const uint64_t frames = entry.FrameCount();
  if (entry.stored_len / 4 < frames) return Status::Corruption(what + ": frame table is inconsistent");
  if (frame0 != nullptr) frame0->clear();
  std::string whole;
  const bool one_read = frame0 != nullptr && frames == 1;
  if (one_read) STRATA_RETURN_IF_ERROR(read(0, entry.stored_len, &whole));
  // Read and grown a chunk at a time, never sized from the declared count: an entry may declare 2^38
  // frames over a sparse pack, whose table of zeros then fails at its first frame.
  FrameTable table;
  std::string raw;
  uint64_t pos = 0;
  const uint64_t frames_end = entry.stored_len - 4 * frames;
  for (uint64_t i = 0; i < frames; i++) {
    const uint64_t in_chunk = i % kFrameTableChunk;
    if (one_read) {
      raw = whole.substr(whole.size() - 4);
    } else if (in_chunk == 0) {
      STRATA_RETURN_IF_ERROR(read(frames_end + 4 * i, 4 * std::min(kFrameTableChunk, frames - i), &raw));
    }
    table.offsets.push_back(base + pos);
    uint32_t size = DecodeFixed32(raw.data() + 4 * in_chunk);
    uint64_t frame_raw = entry.FrameRawSize(i);
    if (size < codec.overhead() || size > frame_raw + codec.overhead() || size > frames_end - pos) {
      return Status::Corruption(what + ": frame table is inconsistent");
    }
    pos += size;
  }
  if (pos != frames_end) return Status::Corruption(what + ": frame table does not cover the object");
  table.offsets.push_back(base + pos);
  if (one_read) {
    whole.resize(pos);
    *frame0 = std::move(whole);
  }
  return table;
}

// The stored bytes of an object in the pack file `file`, which the caller checked it lies inside and keeps
// open while it reads. Two words of capture: std::function holds them without allocating.
StoredReader StoredBytesOf(const std::shared_ptr<RandomAccessFile>& file, const IndexEntry& entry) {
  return [f = file.get(), offset = entry.offset](uint64_t at, size_t n, std::string* out) {
    return f->Read(offset + at, n, out);
  };
}

}  // namespace

Result<std::string> DecodeStoredObject(const FrameCodec& codec, const IndexEntry& entry,
                                       const StoredReader& read, uint64_t max_size, const std::string& what) {
  if (entry.raw_size > max_size) {
    return Status::Corruption(what + ": declared size " + std::to_string(entry.raw_size) +
                              " exceeds the limit for its type");
  }
  std::string frame0;
  STRATA_ASSIGN_OR_RETURN(FrameTable table, ParseFrameTable(codec, entry, read, 0, &frame0, what));
  std::string out;
  if (!frame0.empty()) {
    STRATA_RETURN_IF_ERROR(DecodeFrameOf(codec, entry, 0, frame0, &out, what));
    return out;
  }
  out.reserve(entry.raw_size);
  std::string stored, frame;
  for (uint64_t i = 0; i + 1 < table.offsets.size(); i++) {
    STRATA_RETURN_IF_ERROR(read(table.offsets[i], table.offsets[i + 1] - table.offsets[i], &stored));
    STRATA_RETURN_IF_ERROR(DecodeFrameOf(codec, entry, i, stored, &frame, what));
    out.append(frame);
  }
  return out;
}

std::string PackPath(const std::string& store_dir, const PackId& id) {
  std::string hex = PackIdHex(id);
  return store_dir + "/" + std::string(format::kPacksDir) + "/" + hex.substr(0, 2) + "/" + hex +
         std::string(format::kPackSuffix);
}

Result<std::vector<PackId>> ListPackFiles(Env* env, const std::string& store_dir) {
  const std::string packs_dir = store_dir + "/" + std::string(format::kPacksDir);
  STRATA_ASSIGN_OR_RETURN(std::vector<std::string> subdirs, env->ListDir(packs_dir));
  std::vector<PackId> packs;
  for (const std::string& sub : subdirs) {
    auto names = env->ListDir(packs_dir + "/" + sub);
    if (!names.ok()) continue;
    for (const std::string& name : *names) {
      PackId id;
      if (name.ends_with(format::kPackSuffix) &&
          ParsePackId(std::string_view(name).substr(0, name.size() - format::kPackSuffix.size()), &id) &&
          PackIdHex(id).substr(0, 2) == sub) {
        packs.push_back(id);
      }
    }
  }
  return packs;
}

PackReader::PackReader(Env* env, std::string store_dir, const FrameCodec* codec)
    : env_(env), store_dir_(std::move(store_dir)), codec_(codec) {}

std::string PackReader::What(const IndexEntry& entry) const {
  return "object " + entry.id.Hex() + " in pack " + PackIdHex(entry.pack);
}

Result<std::shared_ptr<RandomAccessFile>> PackReader::Open(const PackId& id) {
  std::string key(reinterpret_cast<const char*>(id.data()), id.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = open_.find(key);
    if (it != open_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.second);
      return it->second.first;
    }
  }
  auto opened = env_->OpenRandomAccess(PackPath(store_dir_, id));
  if (!opened.ok()) {
    if (opened.status().IsNotFound()) return Status::Corruption("pack " + PackIdHex(id) + " is missing");
    return opened.status();
  }
  std::shared_ptr<RandomAccessFile> file = std::move(opened).value();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(key);
  if (it != open_.end()) return it->second.first;
  lru_.push_front(id);
  open_.emplace(key, std::make_pair(file, lru_.begin()));
  if (open_.size() > kMaxOpenPacks) {
    const PackId& victim = lru_.back();
    open_.erase(std::string(reinterpret_cast<const char*>(victim.data()), victim.size()));
    lru_.pop_back();
  }
  return file;
}

Result<std::shared_ptr<RandomAccessFile>> PackReader::OpenObject(const IndexEntry& entry) {
  STRATA_ASSIGN_OR_RETURN(auto file, Open(entry.pack));
  if (entry.offset < format::kPackHeaderSize || entry.offset > file->Size() ||
      entry.stored_len > file->Size() - entry.offset) {
    return Status::Corruption(What(entry) + ": index entry points outside the pack");
  }
  return file;
}

Status PackReader::ReadStored(const IndexEntry& entry, uint64_t at, size_t n, std::string* out) {
  STRATA_ASSIGN_OR_RETURN(auto file, OpenObject(entry));
  if (at > entry.stored_len || n > entry.stored_len - at) {
    return Status::Corruption(What(entry) + ": read past the end of the object");
  }
  return file->Read(entry.offset + at, n, out);
}

Result<FrameTable> PackReader::ReadFrameTable(const IndexEntry& entry, std::string* frame0) {
  STRATA_ASSIGN_OR_RETURN(auto file, OpenObject(entry));
  STRATA_ASSIGN_OR_RETURN(FrameTable table, ParseFrameTable(*codec_, entry, StoredBytesOf(file, entry),
                                                            entry.offset, frame0, What(entry)));
  table.pack = entry.pack;
  return table;
}

Status PackReader::DecodeFrame(const IndexEntry& entry, uint64_t index, std::string_view stored,
                               std::string* out) const {
  return DecodeFrameOf(*codec_, entry, index, stored, out, What(entry));
}

Status PackReader::ReadStoredFrame(const IndexEntry& entry, const FrameTable& table, uint64_t index,
                                   std::string* stored) {
  STRATA_ASSIGN_OR_RETURN(auto file, Open(entry.pack));
  uint64_t begin = table.offsets[index];
  return file->Read(begin, table.offsets[index + 1] - begin, stored);
}

Status PackReader::ReadFrame(const IndexEntry& entry, const FrameTable& table, uint64_t index,
                             std::string* out) {
  std::string stored;
  STRATA_RETURN_IF_ERROR(ReadStoredFrame(entry, table, index, &stored));
  return DecodeFrame(entry, index, stored, out);
}

bool PackReader::IsZeroFrame(const IndexEntry& entry, const FrameTable& table, uint64_t index) {
  uint64_t begin = table.offsets[index];
  if (table.offsets[index + 1] - begin != codec_->overhead()) return false;
  auto file = Open(entry.pack);
  std::string stored;
  if (!file.ok() || !(*file)->Read(begin, codec_->overhead(), &stored).ok()) return false;
  uint64_t frame_raw = entry.FrameRawSize(index);
  return codec_->IsZeroFrame(stored, entry.salt, static_cast<uint32_t>(index), frame_raw);
}

Result<std::string> PackReader::ReadObject(const IndexEntry& entry, uint64_t max_size) {
  STRATA_ASSIGN_OR_RETURN(auto file, OpenObject(entry));
  return DecodeStoredObject(*codec_, entry, StoredBytesOf(file, entry), max_size, What(entry));
}

Result<std::vector<IndexEntry>> PackReader::ReadTrailer(const PackId& id) {
  STRATA_ASSIGN_OR_RETURN(auto file, Open(id));
  const std::string what = "pack " + PackIdHex(id);
  const uint64_t size = file->Size();
  if (size < format::kPackHeaderSize + format::kPackFooterSize)
    return Status::Corruption(what + ": truncated");
  std::string header;
  STRATA_RETURN_IF_ERROR(file->Read(0, format::kPackHeaderSize, &header));
  if (header.substr(0, format::kMagicSize) != format::kPackMagic)
    return Status::Corruption(what + ": bad magic");
  if (DecodeFixed32(header.data() + 8) != format::kPackVersion) {
    return Status::NotSupported(what + ": unsupported pack version");
  }
  if (DecodeFixed32(header.data() + 12) != 0)
    return Status::Corruption(what + ": reserved header bytes are set");
  std::string footer;
  STRATA_RETURN_IF_ERROR(file->Read(size - format::kPackFooterSize, format::kPackFooterSize, &footer));
  if (footer.substr(56) != format::kPackFooterMagic)
    return Status::Corruption(what + ": bad footer (truncated?)");
  if (DecodeFixed64(footer.data() + 48) != 0)
    return Status::Corruption(what + ": reserved footer bytes are set");
  uint64_t index_offset = DecodeFixed64(footer.data());
  uint64_t count = DecodeFixed64(footer.data() + 8);
  const uint64_t index_end = size - format::kPackFooterSize;
  // An encrypted pack's trailer is sealed: the entries' ciphertext between a nonce and a tag.
  const StoreCipher* cipher = codec_->cipher();
  const uint64_t sealing = cipher != nullptr ? format::kSealedFileOverhead : 0;
  if (index_offset < format::kPackHeaderSize || index_offset > index_end ||
      index_end - index_offset < sealing ||
      count != (index_end - index_offset - sealing) / format::kIndexEntrySize ||
      (index_end - index_offset - sealing) % format::kIndexEntrySize != 0) {
    return Status::Corruption(what + ": trailer is inconsistent");
  }
  std::string index;
  STRATA_RETURN_IF_ERROR(file->Read(index_offset, index_end - index_offset, &index));
  if (HashBytes(index).View() != std::string_view(footer).substr(16, 32)) {
    return Status::Corruption(what + ": trailer checksum mismatch");
  }
  if (cipher != nullptr) {
    STRATA_ASSIGN_OR_RETURN(
        index, cipher->OpenFile(SealedFile::kPackTrailer, PackIdHex(id), index, what + " trailer"));
  }
  std::vector<IndexEntry> entries;
  entries.reserve(count);
  for (uint64_t i = 0; i < count; i++) {
    STRATA_ASSIGN_OR_RETURN(IndexEntry e,
                            IndexEntry::Decode(std::string_view(index).substr(i * format::kIndexEntrySize,
                                                                              format::kIndexEntrySize),
                                               what, codec_->overhead()));
    if (e.pack != id || e.offset < format::kPackHeaderSize || e.offset + e.stored_len > index_offset) {
      return Status::Corruption(what + ": trailer entry points outside the pack's objects");
    }
    entries.push_back(e);
  }
  return entries;
}

}  // namespace strata
