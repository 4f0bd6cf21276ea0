#include "src/sync_stream.h"

#include <algorithm>
#include <cstdio>

#include "store/coding.h"
#include "store/hash.h"

namespace strata {
namespace {

constexpr size_t kPrefixSize = 8 + 4;  // magic and version
constexpr size_t kRecordHeadSize = 1 + 8;
constexpr size_t kEntryMetaSize = 32 + 1 + 1 + format::kSaltSize + 8 + 8;
constexpr uint64_t kMaxHeaderBody = 16 + 32 + 4 + 32 * uint64_t{1 << 16};
constexpr uint64_t kEndBodySize = 4 * 8;
constexpr size_t kChunk = 4 << 20;

size_t MetaSize(const StoreCipher* cipher) {
  return kEntryMetaSize + (cipher != nullptr ? format::kSealedFileOverhead : 0);
}

// The check of record `seq`: what it covers before its body.
Hasher RecordHasher(std::string_view key, uint64_t seq, StreamRecord kind, uint64_t len) {
  Hasher h(key);
  std::string head;
  PutFixed64(&head, seq);
  PutFixed8(&head, static_cast<uint8_t>(kind));
  PutFixed64(&head, len);
  h.Update(head);
  return h;
}

std::string KeyOf(const Store& store) {
  return store.cipher() != nullptr ? std::string(store.cipher()->id_key()) : std::string();
}

}  // namespace

std::string StreamHeader::UuidString() const {
  StoreHeader h;
  h.uuid = uuid;
  return h.UuidString();
}

// ---- writing ----

StreamWriter::StreamWriter(std::string path, std::unique_ptr<WritableFile> file, std::string key)
    : path_(std::move(path)), file_(std::move(file)), key_(std::move(key)) {}

StreamWriter::~StreamWriter() {
  if (file_) (void)file_->Close();
}

uint64_t StreamWriter::size() const { return size_; }

Result<std::unique_ptr<StreamWriter>> StreamWriter::Create(std::unique_ptr<WritableFile> file,
                                                           std::string name, const Store& src,
                                                           const std::vector<ObjectId>& since) {
  std::unique_ptr<StreamWriter> w(new StreamWriter(std::move(name), std::move(file), KeyOf(src)));
  w->cipher_ = src.cipher();
  std::string prefix(format::kSyncStreamMagic);
  PutFixed32(&prefix, format::kSyncStreamVersion);
  STRATA_RETURN_IF_ERROR(w->file_->Append(prefix));
  w->size_ = prefix.size();
  std::string body(reinterpret_cast<const char*>(src.header().uuid.data()), src.header().uuid.size());
  body.append(src.KeyCheck().View());
  PutFixed32(&body, static_cast<uint32_t>(since.size()));
  for (const ObjectId& id : since) body.append(id.View());
  STRATA_RETURN_IF_ERROR(w->Record(StreamRecord::kHeader, body, 0, nullptr));
  return w;
}

Status StreamWriter::Record(StreamRecord kind, std::string_view head, uint64_t tail_len,
                            const std::function<Status(uint64_t at, size_t n, std::string* out)>& tail) {
  const uint64_t len = head.size() + tail_len;
  // The header's check is unkeyed: a receiver with other keys must still read it, to say so.
  Hasher h = RecordHasher(records_ == 0 ? std::string_view() : key_, records_, kind, len);
  std::string out;
  PutFixed8(&out, static_cast<uint8_t>(kind));
  PutFixed64(&out, len);
  out.append(head);
  h.Update(head);
  STRATA_RETURN_IF_ERROR(file_->Append(out));
  std::string chunk;
  for (uint64_t at = 0; at < tail_len;) {
    const size_t n = std::min<uint64_t>(kChunk, tail_len - at);
    STRATA_RETURN_IF_ERROR(tail(at, n, &chunk));
    if (chunk.size() != n) return Status::Corruption(path_ + ": short read of an object");
    h.Update(chunk);
    STRATA_RETURN_IF_ERROR(file_->Append(chunk));
    at += n;
  }
  STRATA_RETURN_IF_ERROR(file_->Append(h.Finish().View()));
  size_ += kRecordHeadSize + len + format::kChecksumSize;
  records_++;
  return Status::Ok();
}

Status StreamWriter::AddObject(Store* src, const IndexEntry& entry) {
  std::string meta(entry.id.View());
  PutFixed8(&meta, static_cast<uint8_t>(entry.type));
  PutFixed8(&meta, entry.frame_log2);
  meta.append(reinterpret_cast<const char*>(entry.salt.data()), entry.salt.size());
  PutFixed64(&meta, entry.raw_size);
  PutFixed64(&meta, entry.stored_len);
  // Types and sizes are sealed like a pack's trailer: the stream shows no more than the store does.
  if (cipher_ != nullptr) meta = cipher_->SealFile(SealedFile::kStreamEntry, std::to_string(records_), meta);
  STRATA_RETURN_IF_ERROR(Record(
      StreamRecord::kObject, meta, entry.stored_len,
      [&](uint64_t at, size_t n, std::string* out) { return src->packs().ReadStored(entry, at, n, out); }));
  objects_++;
  stored_bytes_ += entry.stored_len;
  return Status::Ok();
}

Status StreamWriter::AddManifest(const ObjectId& id, std::string_view file_bytes) {
  std::string body(id.View());
  body.append(file_bytes);
  STRATA_RETURN_IF_ERROR(Record(StreamRecord::kManifest, body, 0, nullptr));
  manifests_++;
  return Status::Ok();
}

Status StreamWriter::Finish() {
  std::string body;
  for (uint64_t v : {records_, objects_, manifests_, stored_bytes_}) PutFixed64(&body, v);
  STRATA_RETURN_IF_ERROR(Record(StreamRecord::kEnd, body, 0, nullptr));
  STRATA_RETURN_IF_ERROR(file_->Sync());
  Status s = file_->Close();
  file_.reset();
  return s;
}

// ---- reading ----

StreamReader::StreamReader(std::string path, std::unique_ptr<RandomAccessFile> file, const Store& dst)
    : path_(std::move(path)), file_(std::move(file)), dst_(dst) {}

Status StreamReader::Damaged(const std::string& why) const {
  return Status::Corruption("stream " + path_ + ": " + why + "; nothing was received");
}

Result<std::unique_ptr<StreamReader>> StreamReader::Open(Env* env, const std::string& path,
                                                         const Store& dst) {
  auto file = env->OpenRandomAccess(path);
  if (!file.ok()) {
    if (file.status().IsNotFound()) return Status::NotFound("stream " + path + ": no such file");
    return file.status();
  }
  return Open(std::move(file).value(), dst);
}

Result<std::unique_ptr<StreamReader>> StreamReader::Open(std::unique_ptr<RandomAccessFile> file,
                                                         const Store& dst) {
  std::string name = file->path();
  std::unique_ptr<StreamReader> r(new StreamReader(std::move(name), std::move(file), dst));
  STRATA_RETURN_IF_ERROR(r->ReadHeader());
  return r;
}

Status StreamReader::ReadHeader() {
  std::string prefix;
  if (file_->Size() < kPrefixSize) {
    if (file_->Size() > 0) STRATA_RETURN_IF_ERROR(file_->Read(0, file_->Size(), &prefix));
    if (std::string_view(format::kSyncStreamMagic).starts_with(prefix) && !prefix.empty())
      return Damaged("truncated: it ends inside its first bytes");
    return Status::FailedPrecondition(path_ + ": not a strata sync stream (no stream magic)");
  }
  STRATA_RETURN_IF_ERROR(file_->Read(0, kPrefixSize, &prefix));
  if (prefix.substr(0, 8) != format::kSyncStreamMagic) {
    return Status::FailedPrecondition(path_ + ": not a strata sync stream (no stream magic)");
  }
  const uint32_t version = DecodeFixed32(prefix.data() + 8);
  if (version != format::kSyncStreamVersion) {
    return Status::NotSupported("stream " + path_ + " has format version " + std::to_string(version) +
                                "; this strata reads version " + std::to_string(format::kSyncStreamVersion));
  }
  pos_ = kPrefixSize;
  StreamItem item;
  STRATA_ASSIGN_OR_RETURN(bool more, Next(&item, true));
  if (!more || item.kind != StreamRecord::kHeader) return Damaged("the first record is not a header");
  first_record_ = pos_;
  const StoreCipher* cipher = dst_.cipher();
  if (header_.key_check != dst_.KeyCheck()) {
    return Status::FailedPrecondition(
        "stream " + path_ + " was written by store " + header_.UuidString() + ", whose keys store " +
        dst_.path() + " does not share; only a store made from it with `strata init --from`" +
        (cipher == nullptr ? " (or any plain store, for a plain one)" : "") + " can receive it");
  }
  return Status::Ok();
}

void StreamReader::Rewind() {
  pos_ = first_record_;
  seq_ = 1;
  objects_ = manifests_ = stored_bytes_ = 0;
}

Result<bool> StreamReader::Next(StreamItem* item, bool read_objects) {
  const std::string record = "record " + std::to_string(seq_);
  const uint64_t size = file_->Size();
  if (size - pos_ < kRecordHeadSize) {
    return Damaged("truncated: it ends " + std::string(pos_ == size ? "before" : "inside") + " " + record +
                   " (no end record)");
  }
  std::string head;
  STRATA_RETURN_IF_ERROR(file_->Read(pos_, kRecordHeadSize, &head));
  const uint8_t kind = static_cast<uint8_t>(head[0]);
  const uint64_t len = DecodeFixed64(head.data() + 1);
  const uint64_t body_at = pos_ + kRecordHeadSize;
  if (len > size - body_at || format::kChecksumSize > size - body_at - len) {
    return Damaged("truncated: it ends inside " + record);
  }
  if (kind < static_cast<uint8_t>(StreamRecord::kHeader) || kind > static_cast<uint8_t>(StreamRecord::kEnd) ||
      (seq_ == 0) != (kind == static_cast<uint8_t>(StreamRecord::kHeader))) {
    return Damaged(record + " has an unexpected kind " + std::to_string(kind));
  }
  item->kind = static_cast<StreamRecord>(kind);
  const std::string key = seq_ == 0 || dst_.cipher() == nullptr ? "" : std::string(dst_.cipher()->id_key());
  Hasher h = RecordHasher(key, seq_, item->kind, len);
  // Everything but an object's stored bytes is small and read whole.
  const size_t meta = MetaSize(dst_.cipher());
  uint64_t whole = len;
  if (item->kind == StreamRecord::kObject) {
    if (len < meta) return Damaged(record + " is too short for an object");
    whole = meta;
  } else if ((item->kind == StreamRecord::kHeader && len > kMaxHeaderBody) ||
             (item->kind == StreamRecord::kManifest && len > 32 + format::kMaxManifestSize) ||
             (item->kind == StreamRecord::kEnd && len != kEndBodySize)) {
    return Damaged(record + " has an impossible length");
  }
  std::string body;
  STRATA_RETURN_IF_ERROR(file_->Read(body_at, whole, &body));
  h.Update(body);
  if (item->kind == StreamRecord::kObject) {
    if (read_objects) {
      std::string chunk;
      for (uint64_t at = whole; at < len;) {
        const size_t n = std::min<uint64_t>(kChunk, len - at);
        STRATA_RETURN_IF_ERROR(file_->Read(body_at + at, n, &chunk));
        h.Update(chunk);
        at += n;
      }
    } else {
      // Not verified here: the frames are, when read from the store (and Validate read them).
      h = Hasher();
    }
  }
  std::string check;
  STRATA_RETURN_IF_ERROR(file_->Read(body_at + len, format::kChecksumSize, &check));
  if ((read_objects || item->kind != StreamRecord::kObject) && h.Finish().View() != check) {
    return Damaged(record + " fails its check (damaged, or not written with this store's keys)");
  }
  Decoder d(body);
  switch (item->kind) {
    case StreamRecord::kHeader: {
      std::string_view uuid, key_check;
      uint32_t n = 0;
      if (!d.GetBytes(16, &uuid) || !d.GetBytes(32, &key_check) || !d.GetFixed32(&n) ||
          d.remaining() != uint64_t{n} * 32) {
        return Damaged("malformed header record");
      }
      std::copy(uuid.begin(), uuid.end(), reinterpret_cast<char*>(header_.uuid.data()));
      header_.key_check = ObjectId::FromBytes(key_check);
      header_.since.clear();
      std::string_view id;
      while (d.GetBytes(32, &id)) header_.since.push_back(ObjectId::FromBytes(id));
      break;
    }
    case StreamRecord::kObject: {
      std::string plain = body;
      if (dst_.cipher() != nullptr) {
        STRATA_ASSIGN_OR_RETURN(plain, dst_.cipher()->OpenFile(SealedFile::kStreamEntry, std::to_string(seq_),
                                                               body, "stream " + path_ + " " + record));
      }
      Decoder m(plain);
      std::string_view id, salt;
      uint8_t type = 0, log2 = 0;
      IndexEntry e;
      if (!m.GetBytes(32, &id) || !m.GetFixed8(&type) || !m.GetFixed8(&log2) ||
          !m.GetBytes(format::kSaltSize, &salt) || !m.GetFixed64(&e.raw_size) ||
          !m.GetFixed64(&e.stored_len) || !m.done()) {
        return Damaged("malformed object in " + record);
      }
      e.id = ObjectId::FromBytes(id);
      e.type = static_cast<format::ObjectType>(type);
      e.frame_log2 = log2;
      std::copy(salt.begin(), salt.end(), reinterpret_cast<char*>(e.salt.data()));
      e.offset = format::kPackHeaderSize;
      // Validated as an index entry is: type, frame size, sizes against the frame count.
      std::string encoded;
      e.EncodeTo(&encoded);
      auto valid = IndexEntry::Decode(encoded, "stream " + path_ + " " + record, dst_.codec().overhead());
      if (!valid.ok()) return Damaged(valid.status().message());
      if (e.stored_len != len - meta)
        return Damaged(record + ": the object's length disagrees with the record's");
      item->entry = *valid;
      item->stored_at = body_at + meta;
      objects_++;
      stored_bytes_ += e.stored_len;
      break;
    }
    case StreamRecord::kManifest: {
      std::string_view id;
      if (!d.GetBytes(32, &id)) return Damaged("malformed manifest in " + record);
      item->snapshot = ObjectId::FromBytes(id);
      item->manifest = body.substr(32);
      manifests_++;
      break;
    }
    case StreamRecord::kEnd: {
      uint64_t records = 0, objects = 0, manifests = 0, bytes = 0;
      if (!d.GetFixed64(&records) || !d.GetFixed64(&objects) || !d.GetFixed64(&manifests) ||
          !d.GetFixed64(&bytes) || records != seq_ || objects != objects_ || manifests != manifests_ ||
          bytes != stored_bytes_) {
        return Damaged("the end record's totals disagree with the records before it");
      }
      break;
    }
  }
  pos_ = body_at + len + format::kChecksumSize;
  seq_++;
  return item->kind != StreamRecord::kEnd;
}

Status StreamReader::Validate() {
  Rewind();
  StreamItem item;
  for (;;) {
    STRATA_ASSIGN_OR_RETURN(bool more, Next(&item, true));
    if (!more) break;
  }
  if (pos_ != file_->Size()) return Damaged("bytes follow its end record");
  Rewind();
  return Status::Ok();
}

Status StreamReader::ReadStored(const StreamItem& item, uint64_t at, size_t n, std::string* out) const {
  if (at > item.entry.stored_len || n > item.entry.stored_len - at) {
    return Status::Corruption("stream " + path_ + ": read past the end of an object");
  }
  return file_->Read(item.stored_at + at, n, out);
}

}  // namespace strata
