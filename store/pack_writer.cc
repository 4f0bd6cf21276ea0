#include "store/pack_writer.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>

#include "store/coding.h"
#include "store/hash.h"
#include "store/temp_packs.h"

namespace strata {
namespace {
constexpr size_t kWriteBufferSize = 4 << 20;
}  // namespace

PackWriter::PackWriter(Env* env, std::string store_dir, const FrameCodec* codec, uint64_t target_size,
                       std::string lock_id)
    : env_(env),
      store_dir_(std::move(store_dir)),
      codec_(codec),
      target_size_(target_size),
      lock_id_(std::move(lock_id)) {}

PackWriter::~PackWriter() {
  // An unsealed pack is garbage: nothing can reference its objects.
  if (file_) {
    (void)file_->Close();
    (void)env_->RemoveFile(tmp_path_);
  }
}

Status PackWriter::OpenPack() {
  InitSodium();
  randombytes_buf(pack_id_.data(), pack_id_.size());
  tmp_path_ = store_dir_ + "/" + std::string(format::kTmpDir) + "/" + TempPackName(lock_id_, pack_id_);
  STRATA_ASSIGN_OR_RETURN(file_, env_->NewWritableFile(tmp_path_));
  std::string header(format::kPackMagic);
  PutFixed32(&header, format::kPackVersion);
  PutFixed32(&header, 0);
  buffer_ = std::move(header);
  pack_entries_.clear();
  return Status::Ok();
}

Status PackWriter::BeginObject(format::ObjectType type, uint8_t frame_log2, uint8_t small_frame_log2) {
  assert(!in_object_);
  if (frame_log2 < format::kMinFrameLog2 || frame_log2 > format::kMaxFrameLog2) {
    return Status::InvalidArgument("frame size 2^" + std::to_string(frame_log2) + " is out of range");
  }
  small_frame_log2_ = small_frame_log2 >= format::kMinFrameLog2 ? small_frame_log2 : frame_log2;
  if (!file_) STRATA_RETURN_IF_ERROR(OpenPack());
  in_object_ = true;
  current_ = IndexEntry();
  current_.type = type;
  current_.frame_log2 = frame_log2;
  current_.salt = RandomSalt();
  current_.pack = pack_id_;
  current_.offset = file_->Size() + buffer_.size();
  pending_raw_.clear();
  frame_sizes_.clear();
  return Status::Ok();
}

Status PackWriter::EmitFrame(std::string_view raw) {
  size_t before = buffer_.size();
  codec_->Encode(raw, current_.salt, static_cast<uint32_t>(frame_sizes_.size()), &buffer_);
  if (frame_sizes_.empty() && small_frame_log2_ < current_.frame_log2 && raw.size() == current_.FrameSize() &&
      buffer_.size() - before > raw.size() / 2) {
    buffer_.resize(before);
    current_.frame_log2 = small_frame_log2_;
    for (size_t at = 0; at < raw.size(); at += current_.FrameSize()) {
      STRATA_RETURN_IF_ERROR(EmitFrame(raw.substr(at, current_.FrameSize())));
    }
    return Status::Ok();
  }
  frame_sizes_.push_back(static_cast<uint32_t>(buffer_.size() - before));
  current_.raw_size += raw.size();
  if (buffer_.size() >= kWriteBufferSize) return FlushBuffer();
  return Status::Ok();
}

Status PackWriter::FlushBuffer() {
  if (buffer_.empty()) return Status::Ok();
  Status s = file_->Append(buffer_);
  buffer_.clear();
  return s;
}

Status PackWriter::Append(std::string_view raw) {
  assert(in_object_);
  // The frame size may shrink at the first frame (BeginObject).
  if (!pending_raw_.empty()) {
    size_t take = std::min(raw.size(), current_.FrameSize() - pending_raw_.size());
    pending_raw_.append(raw.data(), take);
    raw.remove_prefix(take);
    if (pending_raw_.size() < current_.FrameSize()) return Status::Ok();
    STRATA_RETURN_IF_ERROR(EmitFrame(pending_raw_));
    pending_raw_.clear();
  }
  for (size_t frame; raw.size() >= (frame = current_.FrameSize());) {
    STRATA_RETURN_IF_ERROR(EmitFrame(raw.substr(0, frame)));
    raw.remove_prefix(frame);
  }
  pending_raw_.assign(raw.data(), raw.size());
  return Status::Ok();
}

Result<IndexEntry> PackWriter::FinishObject(const ObjectId& id) {
  assert(in_object_);
  if (!pending_raw_.empty()) {
    STRATA_RETURN_IF_ERROR(EmitFrame(pending_raw_));
    pending_raw_.clear();
  }
  for (uint32_t size : frame_sizes_) PutFixed32(&buffer_, size);
  in_object_ = false;
  current_.id = id;
  current_.stored_len = file_->Size() + buffer_.size() - current_.offset;
  return EndObject();
}

Status PackWriter::AbortObject() {
  assert(in_object_);
  in_object_ = false;
  pending_raw_.clear();
  return TruncateTo(current_.offset);
}

Status PackWriter::TruncateTo(uint64_t offset) {
  uint64_t in_file = file_->Size();
  if (offset >= in_file) {
    buffer_.resize(offset - in_file);
    return Status::Ok();
  }
  buffer_.clear();
  return file_->Truncate(offset);
}

Result<IndexEntry> PackWriter::CopyObject(const IndexEntry& from, const StoredReader& read) {
  assert(!in_object_);
  if (!file_) STRATA_RETURN_IF_ERROR(OpenPack());
  IndexEntry entry = from;
  entry.pack = pack_id_;
  entry.offset = file_->Size() + buffer_.size();
  std::string chunk;
  for (uint64_t at = 0; at < from.stored_len;) {
    const size_t n = std::min<uint64_t>(kWriteBufferSize, from.stored_len - at);
    Status s = read(at, n, &chunk);
    if (s.ok() && chunk.size() != n) s = Status::Corruption("object " + from.id.Hex() + ": short read");
    if (s.ok()) {
      buffer_.append(chunk);
      if (buffer_.size() >= kWriteBufferSize) s = FlushBuffer();
    }
    if (!s.ok()) {
      (void)TruncateTo(entry.offset);
      return s;
    }
    at += n;
  }
  pack_entries_.push_back(entry);
  if (file_->Size() + buffer_.size() >= target_size_) STRATA_RETURN_IF_ERROR(SealPack());
  return entry;
}

Result<IndexEntry> PackWriter::WriteObject(format::ObjectType type, const ObjectId& id, std::string_view raw,
                                           uint8_t frame_log2) {
  STRATA_RETURN_IF_ERROR(BeginObject(type, frame_log2));
  STRATA_RETURN_IF_ERROR(Append(raw));
  return FinishObject(id);
}

Status PackWriter::BeginCopy(const IndexEntry& source) {
  assert(!in_object_);
  if (!file_) STRATA_RETURN_IF_ERROR(OpenPack());
  in_object_ = true;
  current_ = source;
  current_.pack = pack_id_;
  current_.offset = file_->Size() + buffer_.size();
  pending_raw_.clear();
  frame_sizes_.clear();
  return Status::Ok();
}

Status PackWriter::AppendStored(std::string_view stored) {
  assert(in_object_);
  buffer_.append(stored);
  if (buffer_.size() >= kWriteBufferSize) return FlushBuffer();
  return Status::Ok();
}

Result<IndexEntry> PackWriter::FinishCopy() {
  assert(in_object_);
  const uint64_t written = file_->Size() + buffer_.size() - current_.offset;
  if (written != current_.stored_len) {
    const std::string id = current_.id.Hex();
    const uint64_t want = current_.stored_len;
    STRATA_RETURN_IF_ERROR(AbortObject());
    return Status::InvalidArgument("copy of object " + id + ": " + std::to_string(written) +
                                   " stored bytes given, its entry says " + std::to_string(want));
  }
  in_object_ = false;
  return EndObject();
}

Result<IndexEntry> PackWriter::EndObject() {
  pack_entries_.push_back(current_);
  IndexEntry done = current_;
  if (file_->Size() + buffer_.size() >= target_size_) STRATA_RETURN_IF_ERROR(SealPack());
  return done;
}

Status PackWriter::SealPack() {
  std::string index;
  index.reserve(pack_entries_.size() * format::kIndexEntrySize);
  for (const IndexEntry& e : pack_entries_) e.EncodeTo(&index);
  if (const StoreCipher* cipher = codec_->cipher()) {
    index = cipher->SealFile(SealedFile::kPackTrailer, PackIdHex(pack_id_), index);
  }
  uint64_t index_offset = file_->Size() + buffer_.size();
  ObjectId checksum = HashBytes(index);
  buffer_.append(index);
  PutFixed64(&buffer_, index_offset);
  PutFixed64(&buffer_, pack_entries_.size());
  buffer_.append(checksum.View());
  PutFixed64(&buffer_, 0);  // reserved
  buffer_.append(format::kPackFooterMagic);
  STRATA_RETURN_IF_ERROR(FlushBuffer());
  STRATA_RETURN_IF_ERROR(file_->Sync());
  uint64_t size = file_->Size();
  STRATA_RETURN_IF_ERROR(file_->Close());
  file_.reset();
  std::string hex = PackIdHex(pack_id_);
  std::string dir = store_dir_ + "/" + std::string(format::kPacksDir) + "/" + hex.substr(0, 2);
  STRATA_RETURN_IF_ERROR(env_->CreateDir(dir));
  STRATA_RETURN_IF_ERROR(env_->RenameFile(tmp_path_, dir + "/" + hex + std::string(format::kPackSuffix)));
  STRATA_RETURN_IF_ERROR(env_->SyncDir(dir));
  // The two-hex-digit directory may be new: its own entry must be durable too.
  STRATA_RETURN_IF_ERROR(env_->SyncDir(store_dir_ + "/" + std::string(format::kPacksDir)));
  bytes_sealed_ += size;
  sealed_entries_.insert(sealed_entries_.end(), pack_entries_.begin(), pack_entries_.end());
  pack_entries_.clear();
  return Status::Ok();
}

Status PackWriter::Flush() {
  assert(!in_object_);
  if (!file_) return Status::Ok();
  if (pack_entries_.empty()) {
    (void)file_->Close();
    file_.reset();
    return env_->RemoveFile(tmp_path_);
  }
  return SealPack();
}

std::vector<IndexEntry> PackWriter::TakeSealedEntries() { return std::exchange(sealed_entries_, {}); }

}  // namespace strata
