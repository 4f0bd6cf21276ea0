#include "src/coalesce.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "src/content_writer.h"
#include "src/reachable_versions.h"
#include "src/version_stream.h"
#include "store/lock.h"
#include "store/signature_builder.h"

namespace strata {
namespace {

// One version examined: its record now (the shallowest, as readers see it) and after the coalesce.
struct Node {
  bool full = false;
  uint32_t old_depth = 0;
  ObjectId base;  // of a delta
  uint32_t depth = 0;
  bool cut = false;  // a delta that gets a FULL record
  bool damaged = false;

  bool Rewritten() const { return !damaged && (cut || (!full && depth != old_depth)); }
};

// What the payload of a new FULL record must hash to, and where it lies if it was in the store already.
struct PayloadCheck {
  ObjectId version;
  ObjectId content_hash;
  uint32_t hash_block_len = 0;
  std::optional<IndexEntry> committed;
};

class Coalescer {
 public:
  Coalescer(Store* store, const CoalesceOptions& options, std::string lock_id)
      : store_(store), options_(options), lock_id_(std::move(lock_id)) {
    progress_.phase = ProgressPhase::kCoalescing;
  }

  Status Plan(const std::vector<SnapshotInfo>& relevant);
  Status Write();
  CoalesceResult Finish();

 private:
  void Examine(const ObjectId& top);
  bool Cut(const ObjectId& base) const { return !options_.request.before.empty() && live_.count(base) == 0; }
  void Damage(const ObjectId& id, Node* node, const std::string& message);
  Status MakeFull(const ObjectId& id, FileVersion* record, Node* node);
  Status Verify(const std::vector<IndexEntry>& entries);
  Status VerifyPayload(const IndexEntry& entry, const PayloadCheck& check);
  void Report() {
    if (options_.on_progress) options_.on_progress(progress_);
  }

  Store* store_;
  const CoalesceOptions& options_;
  std::string lock_id_;
  VersionSet live_;
  std::unordered_map<ObjectId, Node, ObjectIdHash> nodes_;
  std::vector<ObjectId> order_;  // every base before the versions built on it
  CoalesceResult result_;
  Progress progress_;
  std::unique_ptr<PackWriter> pack_;
  std::unordered_map<ObjectId, std::string, ObjectIdHash> records_;    // written, encoded
  std::unordered_map<ObjectId, PayloadCheck, ObjectIdHash> payloads_;  // of the FULL records written
};

void Coalescer::Damage(const ObjectId& id, Node* node, const std::string& message) {
  node->damaged = true;
  result_.damaged.push_back(DamagedVersion{id.Hex(), message});
}

// Walks down the chain to a version already examined, a FULL one or a cut, then decides the new depths
// on the way back up: iteratively, as a chain can be as deep as a record's depth allows.
void Coalescer::Examine(const ObjectId& top) {
  std::vector<std::pair<ObjectId, Node>> path;
  std::unordered_set<ObjectId, ObjectIdHash> on_path;
  std::string unreadable;
  for (ObjectId id = top; nodes_.count(id) == 0 && on_path.insert(id).second;) {
    Node node;
    Result<FileVersion> v = store_->LoadVersion(id);
    if (!v.ok()) {
      unreadable = v.status().message();
      node.damaged = true;
      path.emplace_back(id, node);
      break;
    }
    node.full = v->kind == FileVersion::Kind::kFull;
    node.old_depth = v->depth;
    node.base = v->base;
    path.emplace_back(id, node);
    if (node.full || Cut(node.base)) break;
    id = node.base;
  }
  const uint32_t max_chain = options_.request.max_chain;
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    auto& [id, node] = *it;
    if (node.damaged) {
      Damage(id, &node, unreadable);
    } else if (node.full) {
      node.depth = 0;
    } else if (Cut(node.base)) {
      node.cut = true;
    } else if (auto base = nodes_.find(node.base); base == nodes_.end() || base->second.damaged) {
      Damage(id, &node,
             "version " + id.Hex() +
                 (base == nodes_.end() ? ": cyclic delta chain"
                                       : ": its delta base " + node.base.Hex() + " is damaged"));
    } else {
      node.depth = base->second.depth + 1;
      node.cut = max_chain != 0 && node.depth > max_chain;
      if (node.cut) node.depth = 0;
    }
    nodes_.emplace(id, node);
    order_.push_back(id);
  }
}

Status Coalescer::Plan(const std::vector<SnapshotInfo>& relevant) {
  result_.snapshots = relevant.size();
  STRATA_ASSIGN_OR_RETURN(live_, ReachableVersions(store_, relevant));
  // In id order, so that a re-run plans (and writes) the same.
  std::vector<ObjectId> live(live_.begin(), live_.end());
  std::sort(live.begin(), live.end());
  for (const ObjectId& id : live) Examine(id);
  for (const auto& [id, node] : nodes_) {
    if (node.Rewritten()) progress_.files_total++;
  }
  return Status::Ok();
}

Status Coalescer::MakeFull(const ObjectId& id, FileVersion* record, Node* node) {
  const ObjectId payload = store_->DeriveId(format::ObjectType::kData, record->content_hash);
  PayloadCheck check{id, record->content_hash, record->hash_block_len, store_->index().Find(payload)};
  if (!check.committed) {
    STRATA_RETURN_IF_ERROR(BeginContentObject(*store_, pack_.get()));
    Status appended;
    Status streamed = StreamVersion(
        store_, id, std::nullopt,
        [&](std::string_view chunk) {
          appended = pack_->Append(chunk);
          progress_.bytes_done += chunk.size();
          Report();
          return appended;
        },
        "version " + id.Hex());
    if (!streamed.ok()) {
      STRATA_RETURN_IF_ERROR(pack_->AbortObject());
      // A pack that cannot be written stops the run; content that does not rebuild is this version's.
      if (!appended.ok()) return appended;
      Damage(id, node, streamed.message());
      return Status::Ok();
    }
    STRATA_RETURN_IF_ERROR(pack_->FinishObject(payload).status());
    result_.content_bytes += record->size;
  }
  payloads_.emplace(payload, check);
  record->kind = FileVersion::Kind::kFull;
  record->payload = payload;
  record->base = ObjectId{};
  record->depth = 0;
  record->literal_size = 0;
  record->ops.clear();
  return Status::Ok();
}

Status Coalescer::Write() {
  pack_ = store_->NewPackWriter(lock_id_);
  Report();
  for (const ObjectId& id : order_) {
    Node& node = nodes_.at(id);
    if (!node.Rewritten()) continue;
    if (options_.cancel != nullptr && options_.cancel->cancelled()) {
      return Status::Cancelled("coalesce of store " + store_->path() + " cancelled; nothing was committed");
    }
    progress_.current_path = id.Hex();
    // A base that turned out damaged got no new record: the old one is not shallow enough for this one.
    if (!node.cut && nodes_.at(node.base).damaged) {
      Damage(id, &node, "version " + id.Hex() + ": its delta base " + node.base.Hex() + " is damaged");
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(FileVersion record, store_->LoadVersion(id));
    if (node.cut) {
      STRATA_RETURN_IF_ERROR(MakeFull(id, &record, &node));
      if (node.damaged) continue;
    } else {
      record.depth = node.depth;
    }
    std::string bytes = record.Encode();
    STRATA_RETURN_IF_ERROR(
        pack_->WriteObject(format::ObjectType::kVersion, id, bytes, kMetadataFrameLog2).status());
    records_.emplace(id, std::move(bytes));
    progress_.files_done++;
    Report();
  }
  STRATA_RETURN_IF_ERROR(pack_->Flush());
  std::vector<IndexEntry> entries = pack_->TakeSealedEntries();
  result_.bytes_written = pack_->bytes_sealed();
  if (entries.empty()) return Status::Ok();
  STRATA_RETURN_IF_ERROR(Verify(entries));
  STRATA_RETURN_IF_ERROR(store_->CommitObjects(std::move(entries)));
  return store_->RefreshIndex();
}

Status Coalescer::VerifyPayload(const IndexEntry& entry, const PayloadCheck& check) {
  const std::string what = "version " + check.version.Hex() + ": FULL copy " + entry.id.Hex();
  STRATA_ASSIGN_OR_RETURN(FrameTable table, store_->packs().ReadFrameTable(entry));
  ContentHasher hasher(check.hash_block_len);
  std::string frame;
  for (uint64_t i = 0; i < entry.FrameCount(); i++) {
    STRATA_RETURN_IF_ERROR(store_->packs().ReadFrame(entry, table, i, &frame));
    hasher.Update(frame);
  }
  if (hasher.Finish() != check.content_hash) return Status::Corruption(what + ": content hash mismatch");
  return Status::Ok();
}

// Reads everything back from the sealed packs, as a reader will find it once committed.
Status Coalescer::Verify(const std::vector<IndexEntry>& entries) {
  std::unordered_map<ObjectId, IndexEntry, ObjectIdHash> data;
  size_t records = 0;
  for (const IndexEntry& entry : entries) {
    if (entry.type != format::ObjectType::kVersion) {
      data.emplace(entry.id, entry);
      continue;
    }
    const std::string what = "version " + entry.id.Hex() + ": new record";
    auto expected = records_.find(entry.id);
    STRATA_ASSIGN_OR_RETURN(std::string bytes,
                            store_->packs().ReadObject(entry, format::kMaxMetadataObjectSize));
    STRATA_RETURN_IF_ERROR(FileVersion::Decode(bytes, what).status());
    if (expected == records_.end() || bytes != expected->second) {
      return Status::Corruption(what + ": reads back other than written");
    }
    records++;
  }
  if (records != records_.size()) return Status::Corruption("coalesce: a new version record was not sealed");
  for (const auto& [payload, check] : payloads_) {
    auto written = data.find(payload);
    if (!check.committed && written == data.end()) {
      return Status::Corruption("version " + check.version.Hex() + ": its FULL copy was not sealed");
    }
    STRATA_RETURN_IF_ERROR(VerifyPayload(check.committed ? *check.committed : written->second, check));
  }
  return Status::Ok();
}

CoalesceResult Coalescer::Finish() {
  result_.versions = nodes_.size();
  for (const auto& [id, node] : nodes_) {
    result_.deepest_before = std::max(result_.deepest_before, node.old_depth);
    if (node.damaged) continue;
    result_.deepest_after = std::max(result_.deepest_after, node.Rewritten() ? node.depth : node.old_depth);
    if (!node.Rewritten()) continue;
    if (node.cut) {
      result_.made_full++;
    } else {
      result_.redepthed++;
    }
  }
  return std::move(result_);
}

}  // namespace

Result<CoalesceResult> RunCoalesce(Store* store, const CoalesceOptions& options) {
  const CoalesceRequest& request = options.request;
  if (request.before.empty() && request.max_chain == 0) {
    return Status::InvalidArgument("store " + store->path() +
                                   ": coalesce needs a snapshot to coalesce from (before) or a longest "
                                   "chain (max_chain), or both");
  }
  // Taken before the listing: no backup adds versions the plan has not seen while it is held.
  std::unique_ptr<StoreLock> lock;
  if (!request.dry_run) {
    STRATA_ASSIGN_OR_RETURN(lock, StoreLock::Acquire(store->env(), store->path(), LockKind::kExclusive,
                                                     "coalesce", options.on_note));
  }
  std::vector<std::string> problems;
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, store->ListSnapshots(&problems));
  for (const std::string& problem : problems) {
    if (options.on_warning) options.on_warning("skipping damaged snapshot: " + problem);
  }
  if (!request.before.empty()) {
    STRATA_ASSIGN_OR_RETURN(SnapshotInfo from, store->FindSnapshotIn(snapshots, request.before));
    std::erase_if(snapshots,
                  [&from](const SnapshotInfo& s) { return s.manifest.time_ns < from.manifest.time_ns; });
  }
  Coalescer coalescer(store, options, lock ? lock->id() : std::string());
  STRATA_RETURN_IF_ERROR(coalescer.Plan(snapshots));
  if (!request.dry_run) STRATA_RETURN_IF_ERROR(coalescer.Write());
  return coalescer.Finish();
}

}  // namespace strata
