#include "src/receive.h"

#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "src/content_writer.h"
#include "src/orphan_packs.h"
#include "src/stream_spool.h"
#include "src/sync_stream.h"
#include "store/lock.h"
#include "store/pack_reader.h"

namespace strata {
namespace {

class Receiver {
 public:
  Receiver(Store* dst, StreamReader* stream, const SyncOptions& options, const std::string& lock_id)
      : dst_(dst), stream_(stream), options_(options), pack_(dst->NewPackWriter(lock_id)) {}
  Result<SyncResult> Run();

 private:
  Status Commit();
  Status Receive(const StreamItem& object);
  // A version record whose depth disagrees with its base's here, re-sealed with the right depth.
  Result<std::optional<IndexEntry>> Deepened(const StreamItem& object, const StoredReader& read);
  Status Snapshot(const StreamItem& manifest);

  Store* dst_;
  StreamReader* stream_;
  const SyncOptions& options_;
  std::unique_ptr<PackWriter> pack_;
  std::vector<IndexEntry> uncommitted_;
  std::unordered_set<ObjectId, ObjectIdHash> identities_;
  std::unordered_map<ObjectId, uint32_t, ObjectIdHash> depths_;  // of the version records received
  SyncResult result_;
  Progress progress_;
};

Status Receiver::Commit() {
  STRATA_RETURN_IF_ERROR(pack_->Flush());
  std::vector<IndexEntry> sealed = pack_->TakeSealedEntries();
  uncommitted_.insert(uncommitted_.end(), sealed.begin(), sealed.end());
  if (uncommitted_.empty()) return Status::Ok();
  result_.bytes_sent += dst_->IndexFileSize(uncommitted_.size());
  return dst_->CommitObjects(std::exchange(uncommitted_, {}));
}

Status Receiver::Receive(const StreamItem& object) {
  if (dst_->HasObject(object.entry.id)) {
    result_.objects_present++;
    return Status::Ok();
  }
  const StoredReader read = [&](uint64_t at, size_t n, std::string* out) {
    return stream_->ReadStored(object, at, n, out);
  };
  std::optional<IndexEntry> entry;
  if (object.entry.type == format::ObjectType::kVersion) {
    STRATA_ASSIGN_OR_RETURN(entry, Deepened(object, read));
  }
  if (!entry) {
    STRATA_ASSIGN_OR_RETURN(entry, pack_->CopyObject(object.entry, read));
  }
  dst_->index().AddLocal(*entry);
  result_.objects_sent++;
  progress_.bytes_done = result_.bytes_sent + pack_->bytes_sealed();
  if (options_.on_progress) options_.on_progress(progress_);
  return Status::Ok();
}

Result<std::optional<IndexEntry>> Receiver::Deepened(const StreamItem& object, const StoredReader& read) {
  const std::string what = "stream " + stream_->path() + ": version " + object.entry.id.Hex();
  STRATA_ASSIGN_OR_RETURN(std::string bytes, DecodeStoredObject(dst_->codec(), object.entry, read,
                                                                format::kMaxMetadataObjectSize, what));
  STRATA_ASSIGN_OR_RETURN(FileVersion v, FileVersion::Decode(bytes, what));
  std::optional<uint32_t> base_depth;
  if (v.kind == FileVersion::Kind::kDelta) {
    // The stream holds a delta's base before the delta, unless the store had it already: as stored here,
    // perhaps by a backup of its own at another depth, and readers require depth = base's + 1.
    if (auto sent = depths_.find(v.base); sent != depths_.end()) {
      base_depth = sent->second;
    } else if (!dst_->HasObject(v.base)) {
      return Status::Corruption(what + ": its delta base " + v.base.Hex() +
                                " is neither in the stream nor in store " + dst_->path());
    } else if (auto here = dst_->LoadVersion(v.base); here.ok()) {
      base_depth = here->depth;
    }
  }
  const bool deepen = base_depth && *base_depth + 1 != v.depth;
  if (deepen) v.depth = *base_depth + 1;
  depths_[object.entry.id] = v.depth;
  if (!deepen) return std::optional<IndexEntry>();
  STRATA_ASSIGN_OR_RETURN(IndexEntry entry, pack_->WriteObject(format::ObjectType::kVersion, object.entry.id,
                                                               v.Encode(), kMetadataFrameLog2));
  return std::optional<IndexEntry>(entry);
}

Status Receiver::Snapshot(const StreamItem& item) {
  const std::string what = "stream " + stream_->path() + ": snapshot " + item.snapshot.Hex();
  STRATA_ASSIGN_OR_RETURN(Manifest m, dst_->DecodeManifest(item.manifest, item.snapshot.Hex(), what));
  if (m.id != item.snapshot) return Status::Corruption(what + ": the manifest has another id");
  SnapshotInfo info{m, SnapshotTimeName(m.time_ns)};
  if (!identities_.insert(m.Identity()).second) {
    result_.present.push_back(info);
    return Status::Ok();
  }
  if (options_.cancel != nullptr && options_.cancel->cancelled())
    return Status::Cancelled("receive into store " + dst_->path() + " cancelled");
  STRATA_RETURN_IF_ERROR(Commit());
  STRATA_RETURN_IF_ERROR(dst_->CommitManifest(&m));
  result_.synced.push_back(SyncedCopy{info, m.id});
  progress_.files_done++;
  return Status::Ok();
}

Result<SyncResult> Receiver::Run() {
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> there, dst_->ListSnapshots());
  for (const SnapshotInfo& s : there) identities_.insert(s.manifest.Identity());
  for (const ObjectId& since : stream_->header().since) {
    if (identities_.count(since) == 0) {
      return Status::FailedPrecondition("stream " + stream_->path() + " only adds to snapshot " +
                                        since.Hex() + ", which store " + dst_->path() +
                                        " does not have; receive the stream that carries it first");
    }
  }
  STRATA_ASSIGN_OR_RETURN(uncommitted_, RecoverOrphanPacks(dst_));
  result_.verbatim = true;
  progress_.phase = ProgressPhase::kSyncing;
  StreamItem item;
  for (;;) {
    STRATA_ASSIGN_OR_RETURN(bool more, stream_->Next(&item, false));
    if (!more) break;
    if (item.kind == StreamRecord::kObject) {
      STRATA_RETURN_IF_ERROR(Receive(item));
    } else {
      STRATA_RETURN_IF_ERROR(Snapshot(item));
    }
  }
  // Objects of snapshots already here (a stream received twice) are committed too: nothing is lost.
  STRATA_RETURN_IF_ERROR(Commit());
  result_.bytes_sent += pack_->bytes_sealed();
  progress_.phase = ProgressPhase::kDone;
  if (options_.on_progress) options_.on_progress(progress_);
  return std::move(result_);
}

}  // namespace

Result<SyncResult> RunReceive(Store* dst, const std::string& path, const SyncOptions& options) {
  std::unique_ptr<StreamReader> stream;
  if (path == kStandardStream) {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<SequentialFile> in, dst->env()->StandardInput());
    STRATA_ASSIGN_OR_RETURN(
        std::unique_ptr<RandomAccessFile> spooled,
        SpoolToAnonymousFile(dst->env(), in.get(), dst->path() + "/" + std::string(format::kTmpDir)));
    STRATA_ASSIGN_OR_RETURN(stream, StreamReader::Open(std::move(spooled), *dst));
  } else {
    STRATA_ASSIGN_OR_RETURN(stream, StreamReader::Open(dst->env(), path, *dst));
  }
  STRATA_RETURN_IF_ERROR(stream->Validate());
  STRATA_ASSIGN_OR_RETURN(
      auto lock, StoreLock::Acquire(dst->env(), dst->path(), LockKind::kShared, "receive", options.on_note));
  Receiver receiver(dst, stream.get(), options, lock->id());
  auto result = receiver.Run();
  if (!result.ok()) (void)dst->index().DropUncommitted();
  return result;
}

}  // namespace strata
