#include "src/prune.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "src/check.h"
#include "src/prune_plan.h"
#include "store/coding.h"
#include "store/lock.h"
#include "store/temp_packs.h"

namespace strata {
namespace {

std::string Plural(uint64_t n, const std::string& what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

class Pruner {
 public:
  Pruner(Store* store, const PruneOptions& options) : store_(store), options_(options) {}
  Result<PruneResult> Run();

 private:
  void Report(PruneProgress::Phase phase);
  bool Stopped() const { return options_.cancel != nullptr && options_.cancel->cancelled(); }
  Status Cancelled() const { return Status::Cancelled("prune of store " + store_->path() + " cancelled"); }
  std::string Dir(std::string_view sub) const { return store_->path() + "/" + std::string(sub); }
  Result<uint64_t> FileSize(const std::string& path) const;
  Status Mark();
  Status Gather();
  Status Repack(const PrunePlan& plan, std::vector<IndexEntry>* copies);
  Status CopyObject(PackWriter* writer, const IndexEntry& entry);
  Status Commit(const PrunePlan& plan, std::vector<IndexEntry> entries);
  void Estimate(const PrunePlan& plan);

  Store* store_;
  const PruneOptions& options_;
  std::unique_ptr<StoreLock> lock_;
  PruneProgress progress_;
  PruneResult result_;
  UsedObjects used_;
  std::vector<PackContents> packs_;              // by pack id
  std::map<std::string, uint64_t> index_files_;  // name -> size
  uint64_t packs_size_ = 0;
  uint64_t written_size_ = 0;  // of the new packs
};

void Pruner::Report(PruneProgress::Phase phase) {
  progress_.phase = phase;
  if (options_.on_progress) options_.on_progress(progress_);
}

Result<uint64_t> Pruner::FileSize(const std::string& path) const {
  STRATA_ASSIGN_OR_RETURN(auto file, store_->env()->OpenRandomAccess(path));
  return file->Size();
}

// The check's walk, which reaches everything a snapshot needs; it reports damage instead of stopping at
// it, and any damage stops the prune: what lies behind a damaged tree or version record is unknown.
Status Pruner::Mark() {
  CheckOptions check;
  check.max_problems = 1;
  check.max_paths = 1;
  check.cancel = options_.cancel;
  check.on_reached = [this](const ObjectId& id, format::ObjectType type) { used_.emplace(id, type); };
  check.on_progress = [this](const CheckProgress& p) {
    progress_.snapshots_done = p.snapshots_done;
    progress_.snapshots_total = p.snapshots_total;
    progress_.current = p.snapshot;
    Report(PruneProgress::Phase::kMarking);
  };
  STRATA_ASSIGN_OR_RETURN(CheckResult checked, RunCheckLocked(store_, check));
  result_.snapshots = checked.snapshots;
  if (checked.problems.empty() && checked.unlisted_problems == 0) return Status::Ok();
  const CheckProblem& p = checked.problems.front();
  const uint64_t more = checked.problems.size() - 1 + checked.unlisted_problems;
  return Status::FailedPrecondition(
      "store " + store_->path() + ": refusing to prune, nothing was changed: damaged " + p.kind +
      (p.object.empty() ? "" : " " + p.object) + ": " + p.message +
      (more != 0 ? " (and " + std::to_string(more) + " more)" : "") +
      "; what a snapshot needs cannot be told apart from garbage (run `strata check` for the full list)");
}

// Every entry of every index file, by pack, with the trailers of the sealed packs no index file names.
Status Pruner::Gather() {
  std::map<std::string, PackContents> by_pack;
  Status bad_entry;
  store_->index().ForEachEntry([&](const Result<IndexEntry>& e) {
    if (!e.ok()) {
      if (bad_entry.ok()) bad_entry = e.status();
      return;
    }
    PackContents& pack = by_pack[PackIdHex(e->pack)];
    pack.id = e->pack;
    pack.entries.push_back(*e);
  });
  // Check verified every index file whole, so this is a file damaged since.
  STRATA_RETURN_IF_ERROR(bad_entry);
  STRATA_ASSIGN_OR_RETURN(std::vector<PackId> on_disk, ListPackFiles(store_->env(), store_->path()));
  std::set<std::string> present;
  for (const PackId& id : on_disk) {
    const std::string hex = PackIdHex(id);
    present.insert(hex);
    STRATA_ASSIGN_OR_RETURN(uint64_t size, FileSize(PackPath(store_->path(), id)));
    packs_size_ += size;
    auto [it, orphan] = by_pack.try_emplace(hex);
    it->second.id = id;
    it->second.size = size;
    if (!orphan) continue;
    // Sealed by a backup or a prune that was killed before its index file: its objects are candidates like
    // any other. A damaged one holds nothing a snapshot uses (the mark found every used object through the
    // index files), so it goes.
    auto entries = store_->packs().ReadTrailer(id);
    if (entries.ok()) {
      it->second.entries = std::move(entries).value();
    } else if (options_.on_note) {
      options_.on_note("damaged orphan pack " + hex +
                       " holds nothing used and goes: " + entries.status().message());
    }
  }
  result_.packs_before = on_disk.size();
  // Entries that place objects in packs that are gone cannot be kept (the mark found the used ones
  // elsewhere, or failed).
  std::erase_if(by_pack, [&](const auto& kv) { return present.count(kv.first) == 0; });
  // An object with several entries keeps one of them, possibly one check did not verify: only verified
  // places are candidates.
  std::unordered_map<ObjectId, int, ObjectIdHash> places;
  for (const auto& [hex, pack] : by_pack) {
    for (const IndexEntry& e : pack.entries) places[e.id]++;
  }
  // A coalesced version has records that differ (strata-store(5), "Coalescing"). The mark followed the
  // shallowest (Store::LoadVersion), so only copies of that record may stay: another would point at bases
  // and payloads the mark did not reach, which go.
  std::unordered_map<ObjectId, std::string, ObjectIdHash> marked_record;
  auto other_record = [&](const IndexEntry& e) {
    auto used = used_.find(e.id);
    if (e.type != format::ObjectType::kVersion || used == used_.end() ||
        used->second != format::ObjectType::kVersion) {
      return false;
    }
    auto [marked, fresh] = marked_record.try_emplace(e.id);
    if (fresh) {
      auto record = store_->LoadVersionRecord(e.id);
      if (record.ok()) marked->second = record->version.Encode();
    }
    auto version = store_->ReadVersionAt(e);
    return !version.ok() || version->Encode() != marked->second;
  };
  for (auto& [hex, pack] : by_pack) {
    std::erase_if(pack.entries, [&](const IndexEntry& e) {
      return places[e.id] > 1 && used_.count(e.id) != 0 &&
             (!store_->packs().ReadFrameTable(e).ok() || other_record(e));
    });
    packs_.push_back(std::move(pack));
  }
  return Status::Ok();
}

// Copies the object verbatim, verifying every frame on the way: a damaged frame is not spread into a new
// pack, where it would look freshly written.
Status Pruner::CopyObject(PackWriter* writer, const IndexEntry& entry) {
  PackReader& packs = store_->packs();
  std::string frame0;
  STRATA_ASSIGN_OR_RETURN(FrameTable table, packs.ReadFrameTable(entry, &frame0));
  STRATA_RETURN_IF_ERROR(writer->BeginCopy(entry));
  // A one-frame object's frame was read whole with its table.
  const bool have_frame0 = !frame0.empty();
  std::string stored = std::move(frame0);
  std::string raw;
  std::string sizes;
  Status s;
  for (uint64_t i = 0; s.ok() && i + 1 < table.offsets.size(); i++) {
    if (i > 0 || !have_frame0) s = packs.ReadStoredFrame(entry, table, i, &stored);
    if (s.ok()) s = packs.DecodeFrame(entry, i, stored, &raw);
    if (s.ok()) s = writer->AppendStored(stored);
    PutFixed32(&sizes, static_cast<uint32_t>(stored.size()));
    progress_.bytes_done += stored.size() + 4;
  }
  if (s.ok()) s = writer->AppendStored(sizes);
  if (s.ok()) return writer->FinishCopy().status();
  (void)writer->AbortObject();
  return s;
}

Status Pruner::Repack(const PrunePlan& plan, std::vector<IndexEntry>* copies) {
  progress_.packs_total = plan.repacked.size();
  progress_.bytes_total = plan.bytes_copied;
  Report(PruneProgress::Phase::kRepacking);
  std::unique_ptr<PackWriter> writer = store_->NewPackWriter(lock_->id());
  Status s;
  for (size_t i = 0; s.ok() && i < plan.copy.size(); i++) {
    const IndexEntry& e = plan.copy[i];
    if (i == 0 || e.pack != plan.copy[i - 1].pack) {
      if (i != 0) progress_.packs_done++;
      progress_.current = PackIdHex(e.pack);
    }
    if (Stopped()) {
      s = Cancelled();
      break;
    }
    s = CopyObject(writer.get(), e);
    if (s.IsCorruption()) {
      s = Status::Corruption("store " + store_->path() +
                             ": prune stopped, nothing was changed: " + ObjectKindName(e.type) + " object " +
                             e.id.Hex() + " is damaged: " + s.message());
    }
    Report(PruneProgress::Phase::kRepacking);
  }
  if (s.ok()) s = writer->Flush();
  *copies = writer->TakeSealedEntries();
  written_size_ = writer->bytes_sealed();
  std::set<std::string> written;
  for (const IndexEntry& e : *copies) written.insert(PackIdHex(e.pack));
  result_.packs_written = written.size();
  if (s.ok()) {
    progress_.packs_done = plan.repacked.size();
    return s;
  }
  // The new packs are indexed nowhere yet; a kill here would leave them as orphans, harmless duplicates.
  for (const IndexEntry& e : *copies) (void)store_->env()->RemoveFile(PackPath(store_->path(), e.pack));
  copies->clear();
  return s;
}

// Each step is durable before the next one begins, so a kill between any two leaves a store whose
// snapshots all read (strata-store(5), "Pruning").
Status Pruner::Commit(const PrunePlan& plan, std::vector<IndexEntry> entries) {
  Report(PruneProgress::Phase::kCommitting);
  Env* env = store_->env();
  std::string new_index;
  uint64_t new_index_size = 0;
  if (!entries.empty()) {
    STRATA_ASSIGN_OR_RETURN(std::string path,
                            ObjectIndex::Write(env, store_->path(), std::move(entries), store_->cipher()));
    new_index = path.substr(path.rfind('/') + 1);
    STRATA_ASSIGN_OR_RETURN(new_index_size, FileSize(path));
  }
  const std::string index_dir = Dir(format::kIndexDir);
  for (const auto& [name, size] : index_files_) {
    if (name != new_index) STRATA_RETURN_IF_ERROR(env->RemoveFile(index_dir + "/" + name));
  }
  STRATA_RETURN_IF_ERROR(env->SyncDir(index_dir));
  std::set<std::string> dirs;
  for (const auto* list : {&plan.deleted, &plan.repacked}) {
    for (const PackId& id : *list) {
      const std::string path = PackPath(store_->path(), id);
      // Gone already is as good as deleted.
      Status s = env->RemoveFile(path);
      if (!s.ok() && env->FileExists(path)) return s;
      dirs.insert(path.substr(0, path.rfind('/')));
    }
  }
  for (const std::string& dir : dirs) STRATA_RETURN_IF_ERROR(env->SyncDir(dir));
  uint64_t removed = 0;
  for (const PackContents& p : packs_) {
    if (std::binary_search(plan.deleted.begin(), plan.deleted.end(), p.id) ||
        std::binary_search(plan.repacked.begin(), plan.repacked.end(), p.id)) {
      removed += p.size;
    }
  }
  result_.index_files_after = new_index.empty() ? 0 : 1;
  result_.bytes_after = packs_size_ - removed + written_size_ + new_index_size;
  return Status::Ok();
}

// What a dry run reports as after: the copies packed as tightly as a repack packs them.
void Pruner::Estimate(const PrunePlan& plan) {
  const uint64_t sealing = store_->encrypted() ? format::kSealedFileOverhead : 0;
  const uint64_t target = store_->header().params.pack_target_size;
  result_.packs_written =
      plan.copy.empty() ? 0 : std::max<uint64_t>(1, (plan.bytes_copied + target - 1) / target);
  uint64_t kept = 0;
  for (const PackContents& p : packs_) {
    if (!std::binary_search(plan.deleted.begin(), plan.deleted.end(), p.id) &&
        !std::binary_search(plan.repacked.begin(), plan.repacked.end(), p.id)) {
      kept += p.size;
    }
  }
  const uint64_t objects = plan.keep.size() + plan.copy.size();
  const uint64_t index = objects == 0 ? 0
                                      : format::kIndexHeaderSize + objects * format::kIndexEntrySize +
                                            format::kChecksumSize + sealing;
  result_.index_files_after = objects == 0 ? 0 : 1;
  result_.bytes_after = kept + index +
                        (plan.copy.empty() ? 0
                                           : PackSizeFor(plan.bytes_copied, plan.copy.size(), sealing) +
                                                 (result_.packs_written - 1) * PackSizeFor(0, 0, sealing));
}

Result<PruneResult> Pruner::Run() {
  const bool dry_run = options_.request.dry_run;
  if (!(options_.request.max_unused_percent >= 0 && options_.request.max_unused_percent <= 100)) {
    return Status::InvalidArgument("the unused share above which a pack is repacked must be 0 to 100%");
  }
  // Taken before anything is listed: no backup adds objects or snapshots the mark has not seen. A dry run
  // only reads, as a check does.
  STRATA_ASSIGN_OR_RETURN(lock_, StoreLock::Acquire(store_->env(), store_->path(),
                                                    dry_run ? LockKind::kShared : LockKind::kExclusive,
                                                    "prune", options_.on_note));
  if (!dry_run) {
    auto swept = RemoveDeadTempPacks(store_->env(), store_->path());
    if (swept.ok() && !swept->removed.empty() && options_.on_note) {
      options_.on_note("removed " + Plural(swept->removed.size(), "temporary pack") + " of killed writers");
    }
  }
  // The index as it is now, without the files a killed prune removed before this process opened the store.
  (void)store_->RefreshIndex();
  for (const std::string& name : store_->index().FileNames()) {
    STRATA_ASSIGN_OR_RETURN(index_files_[name], FileSize(Dir(format::kIndexDir) + "/" + name));
  }
  result_.index_files_before = index_files_.size();
  Report(PruneProgress::Phase::kMarking);
  STRATA_RETURN_IF_ERROR(Mark());
  if (Stopped()) return Cancelled();
  STRATA_RETURN_IF_ERROR(Gather());
  uint64_t index_size = 0;
  for (const auto& [name, size] : index_files_) index_size += size;
  result_.bytes_before = packs_size_ + index_size;

  PrunePlan plan = PlanPrune(packs_, used_, options_.request.max_unused_percent,
                             store_->encrypted() ? format::kSealedFileOverhead : 0);
  if (!plan.missing.empty()) {
    return Status::FailedPrecondition("store " + store_->path() +
                                      ": refusing to prune, nothing was changed: object " +
                                      plan.missing.front().Hex() + " is used but no index file places it");
  }
  std::sort(plan.deleted.begin(), plan.deleted.end());
  std::sort(plan.repacked.begin(), plan.repacked.end());
  result_.objects_used = used_.size();
  result_.objects_removed = plan.objects_removed;
  result_.packs_deleted = plan.deleted.size();
  result_.packs_repacked = plan.repacked.size();
  result_.bytes_copied = plan.bytes_copied;
  if (!plan.changes()) {
    result_.objects_removed = 0;  // unused objects in packs that stay stay listed
    result_.index_files_after = result_.index_files_before;
    result_.bytes_after = result_.bytes_before;
  } else if (dry_run) {
    Estimate(plan);
  } else {
    std::vector<IndexEntry> entries;
    STRATA_RETURN_IF_ERROR(Repack(plan, &entries));
    entries.insert(entries.end(), plan.keep.begin(), plan.keep.end());
    STRATA_RETURN_IF_ERROR(Commit(plan, std::move(entries)));
    // This process's own readers find the objects in their new places without a failed read first.
    (void)store_->RefreshIndex();
  }
  result_.packs_after =
      result_.packs_before - result_.packs_deleted - result_.packs_repacked + result_.packs_written;
  return result_;
}

}  // namespace

Result<PruneResult> RunPrune(Store* store, const PruneOptions& options) {
  Pruner pruner(store, options);
  return pruner.Run();
}

}  // namespace strata
