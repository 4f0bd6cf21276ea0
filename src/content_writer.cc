#include "src/content_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "src/fs_util.h"
#include "src/side_worker.h"
#include "store/delta_ops.h"
#include "store/hash.h"
#include "store/rsync_job.h"

namespace strata {
namespace {

constexpr size_t kReadBufferSize = 1 << 20;
// Below this size the thread hand-offs cost more than the overlap saves, and the backup already runs one
// writer per core over the many files that make up such trees.
constexpr off_t kSideWorkerMinSize = off_t{8} << 20;

bool SameStat(const struct stat& a, const struct stat& b) {
  return a.st_size == b.st_size && a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
         a.st_mtim.tv_nsec == b.st_mtim.tv_nsec && a.st_ctim.tv_sec == b.st_ctim.tv_sec &&
         a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

}  // namespace

Status BeginContentObject(const Store& store, PackWriter* pack) {
  const uint8_t frame_log2 = store.header().params.data_frame_log2;
  return pack->BeginObject(format::ObjectType::kData, frame_log2,
                           std::max(frame_log2 - 2, int{format::kMinFrameLog2}));
}

bool SessionObjects::ExistsOrClaim(const ObjectId& id) {
  if (store_->HasObject(id)) return true;
  std::lock_guard<std::mutex> lock(mu_);
  return !claimed_.insert(id).second;
}

void SessionObjects::Release(const ObjectId& id) {
  std::lock_guard<std::mutex> lock(mu_);
  claimed_.erase(id);
}

bool SessionObjects::Exists(const ObjectId& id) {
  if (store_->HasObject(id)) return true;
  std::lock_guard<std::mutex> lock(mu_);
  return claimed_.count(id) != 0;
}

struct ContentWriter::Pass {
  ObjectId content_hash;
  uint32_t hash_block_len = 0;
  ObjectId literal_hash;
  uint64_t size = 0;
  uint64_t bytes_read = 0;
  bool delta = false;
  bool changed = false;          // the file changed between the fstat before and after the pass
  bool delta_abandoned = false;  // the delta grew past its worth: the pass stopped early
  std::string read_error;
  std::string signature;
  std::vector<DeltaOp> ops;
  uint64_t literal_size = 0;
};

ContentWriter::ContentWriter(Store* store, SessionObjects* session, ContentOptions options)
    : store_(store),
      session_(session),
      options_(std::move(options)),
      pack_(store->NewPackWriter(options_.lock_id)) {
  if (options_.max_chain == 0) options_.max_chain = store->header().params.max_chain;
}

ContentWriter::~ContentWriter() = default;

Result<ContentWriter::Pass> ContentWriter::ReadPass(int fd, const std::string& path, const FileVersion* base,
                                                    const std::string* base_sig) {
  Pass pass;
  struct stat before;
  if (fstat(fd, &before) != 0) return Status::FromErrno(path, errno);
  SignatureBuilder sig(ChooseBlockLength(static_cast<uint64_t>(before.st_size)));
  STRATA_RETURN_IF_ERROR(BeginContentObject(*store_, pack_.get()));
  Hasher literal;
  std::optional<DeltaBuilder> delta;
  if (base != nullptr) {
    auto made = DeltaBuilder::Create(*base_sig, [this, &literal](std::string_view bytes) {
      literal.Update(bytes);
      return pack_->Append(bytes);
    });
    // A stored signature that does not parse only costs this file its delta.
    if (made.ok()) {
      delta.emplace(std::move(made).value());
      pass.delta = true;
    }
  }
  // The signature pass runs beside the delta (or the compression): on a large, mostly unchanged file each
  // costs about as much as the other.
  std::optional<SideWorker> side;
  if (before.st_size >= kSideWorkerMinSize) side.emplace([&sig](std::string_view c) { sig.Update(c); });
  SparseReader reader(fd, static_cast<uint64_t>(before.st_size), kReadBufferSize);
  Status s;
  while (true) {
    auto next = reader.Next();
    if (!next.ok()) {
      pass.read_error = next.status().WithContext(path).message();
      break;
    }
    std::string_view chunk = *next;
    if (chunk.empty()) break;
    if (side) {
      side->Start(chunk);
    } else {
      sig.Update(chunk);
    }
    s = delta ? delta->Update(chunk) : pack_->Append(chunk);
    if (side) side->Wait();
    if (!s.ok()) break;
    // A mostly rewritten file makes librsync slow (few matches) and its delta is dropped at the end
    // anyway: give up as soon as the literal bytes alone pass the limit.
    if (delta && static_cast<double>(delta->literal_size()) >
                     options_.delta_max_ratio * static_cast<double>(std::max<off_t>(before.st_size, 1))) {
      pass.delta_abandoned = true;
      pass.bytes_read = reader.bytes_read();
      (void)pack_->AbortObject();
      return pass;
    }
  }
  // Source read errors end the pass with read_error set; the object is dropped before anyone sees it.
  if (!pass.read_error.empty()) {
    (void)pack_->AbortObject();
    return pass;
  }
  if (s.ok() && delta) s = delta->Finish();
  if (!s.ok()) {
    (void)pack_->AbortObject();
    return s;
  }
  struct stat after;
  if (fstat(fd, &after) != 0) {
    (void)pack_->AbortObject();
    return Status::FromErrno(path, errno);
  }
  pass.changed = !SameStat(before, after) || reader.offset() != static_cast<uint64_t>(after.st_size);
  pass.size = reader.offset();
  pass.bytes_read = reader.bytes_read();
  pass.hash_block_len = sig.block_len();
  pass.signature = sig.FinishSignature(&pass.content_hash);
  if (delta) {
    pass.ops = delta->ops();
    pass.literal_size = delta->literal_size();
    pass.literal_hash = literal.Finish();
  }
  return pass;
}

Result<ContentResult> ContentWriter::Write(int fd, const std::string& path,
                                           const std::optional<ObjectId>& base) {
  ContentResult result;
  std::optional<FileVersion> base_version;
  std::string base_sig;
  if (base) {
    // A base that cannot be read only costs this file its delta: it is stored FULL.
    auto v = store_->LoadVersion(*base);
    if (v.ok() && v->depth + 1 <= options_.max_chain) {
      auto sig = store_->ReadObject(v->signature, format::ObjectType::kSignature);
      if (sig.ok()) {
        base_version = std::move(v).value();
        base_sig = std::move(sig).value();
      }
    }
  }
  const FileVersion* base_ptr = base_version ? &*base_version : nullptr;

  Result<Pass> pass = ReadPass(fd, path, base_ptr, &base_sig);
  int rereads_for_change = 0;
  while (pass.ok()) {
    if (!pass->read_error.empty()) {
      result.unreadable = pass->read_error;
      return result;
    }
    result.bytes_read += pass->bytes_read;
    if (pass->delta_abandoned) {
      base_ptr = nullptr;
      pass = ReadPass(fd, path, base_ptr, &base_sig);
      continue;
    }
    std::string encoded_ops;
    if (pass->delta) EncodeOps(pass->ops, &encoded_ops);
    const bool retry_changed = pass->changed && rereads_for_change == 0;
    // A delta that copies nothing from its base would only tie the version to an unrelated chain.
    const bool copies = std::any_of(pass->ops.begin(), pass->ops.end(),
                                    [](const DeltaOp& op) { return op.kind == DeltaOp::Kind::kCopy; });
    const bool delta_too_big =
        pass->delta && (!copies || static_cast<double>(pass->literal_size + encoded_ops.size()) >
                                       options_.delta_max_ratio * static_cast<double>(pass->size));
    if (!retry_changed && !delta_too_big) {
      if (pass->changed) result.warning = path + ": file changed while being read; stored as read";
      break;
    }
    // Either the file changed under us (read it once more) or the delta is not worth keeping. The
    // objects of this pass are dropped from the pack before they were ever referenced.
    STRATA_RETURN_IF_ERROR(pack_->AbortObject());
    if (retry_changed) {
      rereads_for_change++;
    } else {
      base_ptr = nullptr;
    }
    pass = ReadPass(fd, path, base_ptr, &base_sig);
  }
  if (!pass.ok()) return pass.status();

  result.version = store_->DeriveId(format::ObjectType::kVersion, pass->content_hash);
  if (session_->ExistsOrClaim(result.version)) {
    STRATA_RETURN_IF_ERROR(pack_->AbortObject());
    return result;
  }
  FileVersion record;
  record.size = pass->size;
  record.content_hash = pass->content_hash;
  record.hash_block_len = pass->hash_block_len;
  if (pass->delta) {
    record.kind = FileVersion::Kind::kDelta;
    record.base = *base;
    record.depth = base_version->depth + 1;
    record.literal_size = pass->literal_size;
    EncodeOps(pass->ops, &record.ops);
    record.payload = store_->DeriveId(format::ObjectType::kData, pass->literal_hash);
  } else {
    record.payload = store_->DeriveId(format::ObjectType::kData, pass->content_hash);
  }
  if (session_->ExistsOrClaim(record.payload)) {
    STRATA_RETURN_IF_ERROR(pack_->AbortObject());
  } else {
    STRATA_ASSIGN_OR_RETURN(IndexEntry entry, pack_->FinishObject(record.payload));
    store_->index().AddLocal(entry);
    if (entry.raw_size > entry.stored_len) result.compression_saved = entry.raw_size - entry.stored_len;
  }
  STRATA_ASSIGN_OR_RETURN(record.signature, WriteMetadata(format::ObjectType::kSignature, pass->signature));
  STRATA_ASSIGN_OR_RETURN(IndexEntry entry, pack_->WriteObject(format::ObjectType::kVersion, result.version,
                                                               record.Encode(), kMetadataFrameLog2));
  store_->index().AddLocal(entry);
  result.stored = true;
  result.delta = pass->delta;
  if (pass->delta && pass->size > pass->literal_size) result.delta_saved = pass->size - pass->literal_size;
  return result;
}

Result<ObjectId> ContentWriter::WriteMetadata(format::ObjectType type, std::string_view bytes) {
  ObjectId id = store_->DeriveId(type, HashBytes(bytes));
  if (session_->ExistsOrClaim(id)) return id;
  STRATA_ASSIGN_OR_RETURN(IndexEntry entry, pack_->WriteObject(type, id, bytes, kMetadataFrameLog2));
  store_->index().AddLocal(entry);
  return id;
}

Result<std::vector<IndexEntry>> ContentWriter::Flush() {
  STRATA_RETURN_IF_ERROR(pack_->Flush());
  return pack_->TakeSealedEntries();
}

}  // namespace strata
