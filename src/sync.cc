#include "src/sync.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "src/deep_stack.h"
#include "src/orphan_packs.h"
#include "src/snapshot_copy.h"
#include "src/sync_stream.h"
#include "store/lock.h"

namespace strata {
namespace {

// As a backup writes: trees, version records and signatures in 1 MiB frames, data at the store's size.
constexpr uint8_t kMetadataFrameLog2 = 20;

using IdSet = std::unordered_set<ObjectId, ObjectIdHash>;

// Objects go into packs of the destination store, under its lock.
class StoreTarget : public CopyTarget {
 public:
  StoreTarget(Store* dst, const std::string& lock_id) : dst_(dst), pack_(dst->NewPackWriter(lock_id)) {}

  bool Has(const ObjectId& id) override { return dst_->HasObject(id); }
  std::optional<uint32_t> VersionDepth(const ObjectId& id) override {
    auto v = dst_->LoadVersion(id);
    return v.ok() ? std::optional<uint32_t>(v->depth) : std::nullopt;
  }
  Status CopyStored(Store* src, const IndexEntry& entry) override {
    STRATA_ASSIGN_OR_RETURN(IndexEntry copied,
                            pack_->CopyObject(entry, [&](uint64_t at, size_t n, std::string* out) {
                              return src->packs().ReadStored(entry, at, n, out);
                            }));
    dst_->index().AddLocal(copied);
    return Status::Ok();
  }
  Status Begin(format::ObjectType type) override {
    if (type != format::ObjectType::kData) return pack_->BeginObject(type, kMetadataFrameLog2);
    const uint8_t log2 = dst_->header().params.data_frame_log2;
    return pack_->BeginObject(type, log2,
                              static_cast<uint8_t>(std::max(log2 - 2, int{format::kMinFrameLog2})));
  }
  Status Append(std::string_view raw) override { return pack_->Append(raw); }
  Status Finish(const ObjectId& id) override {
    STRATA_ASSIGN_OR_RETURN(IndexEntry entry, pack_->FinishObject(id));
    dst_->index().AddLocal(entry);
    return Status::Ok();
  }
  Status Abort() override { return pack_->AbortObject(); }

  // Seals the pack being written; returns the entries of every pack sealed since the last call.
  Result<std::vector<IndexEntry>> Flush() {
    STRATA_RETURN_IF_ERROR(pack_->Flush());
    return pack_->TakeSealedEntries();
  }
  uint64_t bytes_sealed() const { return pack_->bytes_sealed(); }

 private:
  Store* dst_;
  std::unique_ptr<PackWriter> pack_;
};

// Objects go into a stream, verbatim, unless the receiver has them (`omitted`) or they went already.
class StreamTarget : public CopyTarget {
 public:
  StreamTarget(StreamWriter* writer, const IdSet* omitted) : writer_(writer), omitted_(omitted) {}

  bool Has(const ObjectId& id) override { return omitted_->count(id) != 0 || sent_.count(id) != 0; }
  std::optional<uint32_t> VersionDepth(const ObjectId&) override { return std::nullopt; }
  Status CopyStored(Store* src, const IndexEntry& entry) override {
    STRATA_RETURN_IF_ERROR(writer_->AddObject(src, entry));
    sent_.insert(entry.id);
    return Status::Ok();
  }
  Status Begin(format::ObjectType) override { return Unsupported(); }
  Status Append(std::string_view) override { return Unsupported(); }
  Status Finish(const ObjectId&) override { return Unsupported(); }
  Status Abort() override { return Unsupported(); }

 private:
  static Status Unsupported() { return Status::NotSupported("a stream carries objects only as stored"); }
  StreamWriter* writer_;
  const IdSet* omitted_;
  IdSet sent_;
};

// Collects the ids of everything a snapshot reaches (what an incremental stream leaves out).
class MarkTarget : public CopyTarget {
 public:
  bool Has(const ObjectId& id) override { return ids.count(id) != 0; }
  std::optional<uint32_t> VersionDepth(const ObjectId&) override { return std::nullopt; }
  Status CopyStored(Store*, const IndexEntry& entry) override {
    ids.insert(entry.id);
    return Status::Ok();
  }
  Status Begin(format::ObjectType) override { return Status::NotSupported("marking only"); }
  Status Append(std::string_view) override { return Status::NotSupported("marking only"); }
  Status Finish(const ObjectId&) override { return Status::NotSupported("marking only"); }
  Status Abort() override { return Status::NotSupported("marking only"); }

  IdSet ids;
};

// CopyTree on a stack deep enough for the deepest tree and chain a store may hold.
Result<ObjectId> CopyTreeDeep(SnapshotCopier* copier, const ObjectId& tree) {
  std::optional<Result<ObjectId>> result;
  RunOnDeepStack(kDeepWalkStack, [&] { result.emplace(copier->CopyTree(tree)); });
  return std::move(*result);
}

Status Cancelled(const SyncOptions& options, const std::string& what) {
  if (options.cancel != nullptr && options.cancel->cancelled()) return Status::Cancelled(what + " cancelled");
  return Status::Ok();
}

void Report(const SyncOptions& options, const Progress& progress) {
  if (options.on_progress) options.on_progress(progress);
}

class Syncer {
 public:
  Syncer(Store* src, Store* dst, const SyncOptions& options, std::string lock_id)
      : src_(src), dst_(dst), options_(options), lock_id_(std::move(lock_id)) {}
  Result<SyncResult> Run();

 private:
  Status Copy(const std::vector<SnapshotInfo>& all, const std::vector<SnapshotInfo>& todo);

  Store* src_;
  Store* dst_;
  const SyncOptions& options_;
  std::string lock_id_;
  SyncResult result_;
  std::unordered_map<ObjectId, ObjectId, ObjectIdHash> copies_;  // identity -> snapshot id in dst
};

Result<SyncResult> Syncer::Run() {
  std::vector<std::string> problems;
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> all, src_->ListSnapshots(&problems));
  for (const std::string& p : problems) {
    if (options_.on_note) options_.on_note("skipping damaged snapshot: " + p);
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> selected,
                          SelectSnapshots(*src_, all, options_.snapshots));
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> there, dst_->ListSnapshots());
  for (const SnapshotInfo& s : there) copies_[s.manifest.Identity()] = s.manifest.id;
  result_.verbatim = src_->KeyCheck() == dst_->KeyCheck();
  std::vector<SnapshotInfo> todo;
  for (const SnapshotInfo& s : selected) {
    if (copies_.count(s.manifest.Identity()) != 0) {
      result_.present.push_back(s);
    } else {
      todo.push_back(s);
    }
  }
  if (!todo.empty()) STRATA_RETURN_IF_ERROR(Copy(all, todo));
  Progress done;
  done.phase = ProgressPhase::kDone;
  done.files_done = done.files_total = todo.size();
  done.bytes_done = result_.bytes_sent;
  Report(options_, done);
  return std::move(result_);
}

Status Syncer::Copy(const std::vector<SnapshotInfo>& all, const std::vector<SnapshotInfo>& todo) {
  STRATA_ASSIGN_OR_RETURN(std::vector<IndexEntry> entries, RecoverOrphanPacks(dst_));
  StoreTarget target(dst_, lock_id_);
  SnapshotCopier copier(src_, &target, result_.verbatim, dst_->cipher(), options_.cancel);
  Progress progress;
  progress.phase = ProgressPhase::kSyncing;
  progress.files_total = todo.size();
  copier.set_on_object([&](const CopyCounts&) {
    progress.bytes_done = result_.bytes_sent + target.bytes_sealed();
    Report(options_, progress);
  });
  std::unordered_map<ObjectId, ObjectId, ObjectIdHash> identity;  // src snapshot id -> identity
  for (const SnapshotInfo& s : all) identity[s.manifest.id] = s.manifest.Identity();
  for (const SnapshotInfo& s : todo) {
    progress.current_path = s.name;
    Report(options_, progress);
    STRATA_ASSIGN_OR_RETURN(ObjectId root, CopyTreeDeep(&copier, s.manifest.root.ref));
    STRATA_ASSIGN_OR_RETURN(std::vector<IndexEntry> sealed, target.Flush());
    entries.insert(entries.end(), sealed.begin(), sealed.end());
    STRATA_RETURN_IF_ERROR(Cancelled(options_, "sync into store " + dst_->path()));
    if (!entries.empty()) {
      result_.bytes_sent += dst_->IndexFileSize(entries.size());
      STRATA_RETURN_IF_ERROR(dst_->CommitObjects(std::exchange(entries, {})));
    }
    Manifest m = s.manifest;
    if (!result_.verbatim) {
      // Same keys keep the manifest byte for byte, hence its id; otherwise the copy names what it copies.
      m.root.ref = root;
      m.origin = s.manifest.Identity();
      auto parent = identity.find(m.parent);
      auto copied = parent != identity.end() ? copies_.find(parent->second) : copies_.end();
      m.parent = copied != copies_.end() ? copied->second : ObjectId();
    }
    STRATA_RETURN_IF_ERROR(dst_->CommitManifest(&m));
    copies_[m.Identity()] = m.id;
    result_.synced.push_back(SyncedCopy{s, m.id});
    progress.files_done++;
  }
  result_.objects_sent = copier.counts().objects_sent;
  result_.objects_present = copier.counts().objects_present;
  result_.bytes_sent += target.bytes_sealed();
  return Status::Ok();
}

}  // namespace

Result<std::vector<SnapshotInfo>> SelectSnapshots(const Store& store, const std::vector<SnapshotInfo>& all,
                                                  const std::vector<std::string>& refs) {
  if (refs.empty()) return all;
  IdSet wanted;
  for (const std::string& ref : refs) {
    STRATA_ASSIGN_OR_RETURN(SnapshotInfo s, store.FindSnapshotIn(all, ref));
    wanted.insert(s.manifest.id);
  }
  std::vector<SnapshotInfo> out;
  for (const SnapshotInfo& s : all) {
    if (wanted.count(s.manifest.id) != 0) out.push_back(s);
  }
  return out;
}

Result<SyncResult> RunSync(Store* src, Store* dst, const SyncOptions& options) {
  if (src->header().uuid == dst->header().uuid) {
    return Status::FailedPrecondition("store " + dst->path() + " is store " + src->path() +
                                      " (same id): nothing to sync");
  }
  // The destination's lock is shared, as a backup's: a forget or prune there waits; so does one at the
  // source, which must not remove what is being read.
  STRATA_ASSIGN_OR_RETURN(
      auto dst_lock, StoreLock::Acquire(dst->env(), dst->path(), LockKind::kShared, "sync", options.on_note));
  STRATA_ASSIGN_OR_RETURN(
      auto src_lock, StoreLock::Acquire(src->env(), src->path(), LockKind::kShared, "sync", options.on_note));
  Syncer syncer(src, dst, options, dst_lock->id());
  auto result = syncer.Run();
  // Objects of a sync that stopped may be in packs deleted unsealed: nothing in this process may take them
  // for stored.
  if (!result.ok()) (void)dst->index().DropUncommitted();
  return result;
}

Result<SyncResult> RunSyncToFile(Store* src, const std::string& path, const SyncOptions& options) {
  STRATA_ASSIGN_OR_RETURN(
      auto lock, StoreLock::Acquire(src->env(), src->path(), LockKind::kShared, "sync", options.on_note));
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> all, src->ListSnapshots());
  std::optional<SnapshotInfo> since;
  std::vector<SnapshotInfo> selected;
  if (!options.since.empty()) {
    STRATA_ASSIGN_OR_RETURN(since, src->FindSnapshotIn(all, options.since));
  }
  if (options.snapshots.empty() && since) {
    bool after = false;
    for (const SnapshotInfo& s : all) {
      if (after) selected.push_back(s);
      after = after || s.manifest.id == since->manifest.id;
    }
  } else {
    STRATA_ASSIGN_OR_RETURN(selected, SelectSnapshots(*src, all, options.snapshots));
  }
  MarkTarget omitted;
  std::vector<ObjectId> since_ids;
  if (since) {
    SnapshotCopier marker(src, &omitted, true, src->cipher(), options.cancel);
    STRATA_RETURN_IF_ERROR(CopyTreeDeep(&marker, since->manifest.root.ref).status());
    since_ids.push_back(since->manifest.Identity());
  }
  const bool to_stdout = path == kStandardStream;
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                          to_stdout ? src->env()->StandardOutput() : src->env()->NewWritableFile(path));
  STRATA_ASSIGN_OR_RETURN(
      std::unique_ptr<StreamWriter> writer,
      StreamWriter::Create(std::move(file), to_stdout ? "standard output" : path, *src, since_ids));
  StreamTarget target(writer.get(), &omitted.ids);
  SnapshotCopier copier(src, &target, true, src->cipher(), options.cancel);
  SyncResult result;
  result.verbatim = true;
  Progress progress;
  progress.phase = ProgressPhase::kSyncing;
  progress.files_total = selected.size();
  copier.set_on_object([&](const CopyCounts&) {
    progress.bytes_done = writer->size();
    Report(options, progress);
  });
  Status s;
  for (const SnapshotInfo& snapshot : selected) {
    if (since && snapshot.manifest.id == since->manifest.id) continue;  // the receiver has it
    progress.current_path = snapshot.name;
    Report(options, progress);
    s = CopyTreeDeep(&copier, snapshot.manifest.root.ref).status();
    Manifest m = snapshot.manifest;
    if (s.ok()) s = writer->AddManifest(m.id, src->EncodeManifestFile(&m));
    if (!s.ok()) break;
    result.synced.push_back(SyncedCopy{snapshot, m.id});
    progress.files_done++;
  }
  if (s.ok()) s = writer->Finish();
  if (!s.ok()) {
    writer.reset();
    // A partial stream would be refused anyway; one already in a pipe is, by its missing end record.
    if (!to_stdout) (void)src->env()->RemoveFile(path);
    return s;
  }
  result.objects_sent = copier.counts().objects_sent;
  result.objects_present = copier.counts().objects_present;
  result.bytes_sent = writer->size();
  progress.phase = ProgressPhase::kDone;
  Report(options, progress);
  return result;
}

}  // namespace strata
