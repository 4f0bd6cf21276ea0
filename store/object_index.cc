#include "store/object_index.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "store/coding.h"
#include "store/hash.h"

namespace strata {

ObjectIndex::ObjectIndex(Env* env, std::string store_dir, const StoreCipher* cipher)
    : env_(env), store_dir_(std::move(store_dir)), cipher_(cipher) {}

namespace {

std::string IndexDir(const std::string& store_dir) {
  return store_dir + "/" + std::string(format::kIndexDir);
}

// An index file's checksum, and so its name: keyed in an encrypted store, so the name reveals nothing.
ObjectId Checksum(std::string_view body, const StoreCipher* cipher) {
  return cipher != nullptr ? cipher->KeyedHash(body) : HashBytes(body);
}

size_t FrameOverhead(const StoreCipher* cipher) {
  return cipher != nullptr ? format::kSealedFrameOverhead : format::kFrameOverhead;
}

// Header and size checks that are cheap enough for every open; the checksum is for Verify().
Status CheckLayout(std::string_view bytes, const std::string& what, std::string_view* entries) {
  if (bytes.size() < format::kIndexHeaderSize + format::kChecksumSize)
    return Status::Corruption(what + ": truncated");
  if (bytes.substr(0, format::kMagicSize) != format::kIndexMagic)
    return Status::Corruption(what + ": bad magic");
  if (DecodeFixed32(bytes.data() + 8) != format::kIndexVersion) {
    return Status::NotSupported(what + ": unsupported index version " +
                                std::to_string(DecodeFixed32(bytes.data() + 8)));
  }
  uint64_t count = DecodeFixed32(bytes.data() + 12);
  if (bytes.size() != format::kIndexHeaderSize + count * format::kIndexEntrySize + format::kChecksumSize) {
    return Status::Corruption(what + ": size does not match its entry count (truncated?)");
  }
  *entries = bytes.substr(format::kIndexHeaderSize, count * format::kIndexEntrySize);
  return Status::Ok();
}

}  // namespace

Status ObjectIndex::Refresh() {
  auto names = env_->ListDir(IndexDir(store_dir_));
  if (!names.ok()) return names.status().WithContext("listing index files");
  std::sort(names->begin(), names->end());
  Status first_error;
  for (const std::string& name : *names) {
    if (name.size() != 64 + format::kIndexSuffix.size() || !name.ends_with(format::kIndexSuffix)) continue;
    {
      std::shared_lock<std::shared_mutex> lock(mu_);
      if (seen_.count(name) != 0) continue;
    }
    File file;
    Status s = Load(name, &file);
    std::unique_lock<std::shared_mutex> lock(mu_);
    if (!seen_.insert(name).second) continue;  // another thread mapped it meanwhile
    generation_++;
    if (!s.ok()) {
      if (first_error.ok()) first_error = s;
      continue;
    }
    files_.push_back(std::move(file));
  }
  // Last: a lookup meanwhile finds an object either through the file that goes or the one that came.
  ForgetGone(*names);
  return first_error;
}

void ObjectIndex::ForgetGone(const std::vector<std::string>& sorted_names) {
  auto present = [&](const std::string& name) {
    return std::binary_search(sorted_names.begin(), sorted_names.end(), name);
  };
  std::unique_lock<std::shared_mutex> lock(mu_);
  const size_t before = seen_.size();
  std::erase_if(seen_, [&](const std::string& name) { return !present(name); });
  if (seen_.size() == before) return;
  // Lookups copy what they find out of the mapping, so a file can go while nobody holds the lock.
  std::erase_if(files_, [&](const File& f) { return !present(f.name); });
  hint_.store(0);
  generation_++;
}

Status ObjectIndex::Load(const std::string& name, File* file) const {
  const std::string path = IndexDir(store_dir_) + "/" + name;
  const std::string what = "index file " + path;
  file->name = name;
  if (cipher_ == nullptr) {
    STRATA_ASSIGN_OR_RETURN(file->map, env_->MapReadOnly(path));
    return CheckLayout(file->map->data(), what, &file->entries);
  }
  STRATA_ASSIGN_OR_RETURN(std::string sealed, env_->ReadWholeFile(path, format::kMaxIndexFileSize));
  STRATA_ASSIGN_OR_RETURN(std::string plain,
                          cipher_->OpenFile(SealedFile::kIndex, name.substr(0, 64), sealed, what));
  file->plaintext = std::make_unique<std::string>(std::move(plain));
  return CheckLayout(*file->plaintext, what, &file->entries);
}

std::optional<IndexEntry> ObjectIndex::FindIn(const File& file, const ObjectId& id) const {
  const size_t n = file.entries.size() / format::kIndexEntrySize;
  size_t lo = 0;
  size_t hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    const char* p = file.entries.data() + mid * format::kIndexEntrySize;
    int c = std::memcmp(p, id.bytes.data(), ObjectId::kSize);
    if (c == 0) {
      auto entry = IndexEntry::Decode(std::string_view(p, format::kIndexEntrySize), "index file " + file.name,
                                      FrameOverhead(cipher_));
      if (!entry.ok()) return std::nullopt;
      return *entry;
    }
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return std::nullopt;
}

std::optional<IndexEntry> ObjectIndex::Find(const ObjectId& id) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = local_.find(id);
  if (it != local_.end()) return it->second;
  const size_t hint = hint_.load(std::memory_order_relaxed);
  if (hint < files_.size()) {
    if (auto e = FindIn(files_[hint], id)) return e;
  }
  for (size_t i = files_.size(); i-- > 0;) {
    if (i == hint) continue;
    if (auto e = FindIn(files_[i], id)) {
      hint_.store(i, std::memory_order_relaxed);
      return e;
    }
  }
  return std::nullopt;
}

std::vector<IndexEntry> ObjectIndex::FindAll(const ObjectId& id) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<IndexEntry> found;
  if (auto it = local_.find(id); it != local_.end()) found.push_back(it->second);
  for (const File& file : files_) {
    if (auto e = FindIn(file, id)) found.push_back(*e);
  }
  return found;
}

void ObjectIndex::AddLocal(const IndexEntry& entry) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  local_.emplace(entry.id, entry);
}

Status ObjectIndex::DropUncommitted() {
  Status s = Refresh();
  std::unique_lock<std::shared_mutex> lock(mu_);
  local_.clear();
  return s;
}

std::unordered_set<std::string> ObjectIndex::CoveredPacks() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::unordered_set<std::string> packs;
  for (const File& f : files_) {
    for (size_t off = 0; off < f.entries.size(); off += format::kIndexEntrySize) {
      packs.insert(HexEncode(f.entries.substr(off + 56, format::kPackIdSize)));
    }
  }
  for (const auto& [id, e] : local_) packs.insert(PackIdHex(e.pack));
  return packs;
}

std::vector<std::string> ObjectIndex::FileNames() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  std::vector<std::string> names;
  names.reserve(files_.size());
  for (const File& f : files_) names.push_back(f.name);
  return names;
}

void ObjectIndex::ForEachEntry(const std::function<void(const Result<IndexEntry>&)>& fn) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const File& f : files_) {
    for (size_t off = 0; off < f.entries.size(); off += format::kIndexEntrySize) {
      fn(IndexEntry::Decode(f.entries.substr(off, format::kIndexEntrySize), "index file " + f.name,
                            FrameOverhead(cipher_)));
    }
  }
}

Status ObjectIndex::Verify(std::string_view bytes, const std::string& what, const StoreCipher* cipher) {
  std::string_view entries;
  STRATA_RETURN_IF_ERROR(CheckLayout(bytes, what, &entries));
  std::string_view body = bytes.substr(0, bytes.size() - format::kChecksumSize);
  if (Checksum(body, cipher).View() != bytes.substr(body.size()))
    return Status::Corruption(what + ": checksum mismatch");
  for (size_t off = 0; off < entries.size(); off += format::kIndexEntrySize) {
    STRATA_RETURN_IF_ERROR(
        IndexEntry::Decode(entries.substr(off, format::kIndexEntrySize), what, FrameOverhead(cipher))
            .status());
    if (off > 0 &&
        std::memcmp(entries.data() + off - format::kIndexEntrySize, entries.data() + off, 32) >= 0) {
      return Status::Corruption(what + ": entries are not sorted");
    }
  }
  return Status::Ok();
}

Status ObjectIndex::VerifyFile(const std::string& name) const {
  File file;
  STRATA_RETURN_IF_ERROR(Load(name, &file));
  const std::string_view bytes = file.map != nullptr ? file.map->data() : std::string_view(*file.plaintext);
  const std::string what = "index file " + IndexDir(store_dir_) + "/" + name;
  STRATA_RETURN_IF_ERROR(Verify(bytes, what, cipher_));
  if (HexEncode(bytes.substr(bytes.size() - format::kChecksumSize)) != name.substr(0, 64)) {
    return Status::Corruption(what + ": content does not match its name");
  }
  return Status::Ok();
}

Result<std::string> ObjectIndex::Write(Env* env, const std::string& store_dir,
                                       std::vector<IndexEntry> entries, const StoreCipher* cipher) {
  std::sort(entries.begin(), entries.end(),
            [](const IndexEntry& a, const IndexEntry& b) { return a.id < b.id; });
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const IndexEntry& a, const IndexEntry& b) { return a.id == b.id; }),
                entries.end());
  std::string out(format::kIndexMagic);
  PutFixed32(&out, format::kIndexVersion);
  PutFixed32(&out, static_cast<uint32_t>(entries.size()));
  for (const IndexEntry& e : entries) e.EncodeTo(&out);
  ObjectId checksum = Checksum(out, cipher);
  out.append(checksum.View());
  std::string path = IndexDir(store_dir) + "/" + checksum.Hex() + std::string(format::kIndexSuffix);
  if (cipher != nullptr) out = cipher->SealFile(SealedFile::kIndex, checksum.Hex(), out);
  STRATA_RETURN_IF_ERROR(env->WriteFileAtomic(path, out));
  return path;
}

}  // namespace strata
