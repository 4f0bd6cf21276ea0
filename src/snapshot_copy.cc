#include "src/snapshot_copy.h"

#include <algorithm>

#include "store/hash.h"

namespace strata {
namespace {

// As Store's own chain walk: far beyond any max_chain, reachable only by a crafted store (or a cycle).
constexpr size_t kMaxChainWalk = 4097;
// Payload bytes decoded at a time when re-encoding.
constexpr size_t kPayloadChunk = 4 << 20;

}  // namespace

SnapshotCopier::SnapshotCopier(Store* src, CopyTarget* target, bool verbatim,
                               const StoreCipher* target_cipher, const CancelToken* cancel)
    : src_(src), target_(target), verbatim_(verbatim), target_cipher_(target_cipher), cancel_(cancel) {}

Status SnapshotCopier::CheckCancel() const {
  if (cancel_ != nullptr && cancel_->cancelled()) {
    return Status::Cancelled("copy from store " + src_->path() + " cancelled");
  }
  return Status::Ok();
}

ObjectId SnapshotCopier::Done(const ObjectId& from, const ObjectId& to, bool present) {
  copied_[from] = to;
  if (present) {
    counts_.objects_present++;
  } else {
    counts_.objects_sent++;
    if (on_object_) on_object_(counts_);
  }
  return to;
}

Result<IndexEntry> SnapshotCopier::Entry(const ObjectId& id, format::ObjectType type) const {
  auto entry = src_->index().Find(id);
  if (!entry) return Status::Corruption("object " + id.Hex() + " is missing from store " + src_->path());
  if (entry->type != type) {
    return Status::Corruption("object " + id.Hex() + " of store " + src_->path() + " has type " +
                              std::to_string(static_cast<int>(entry->type)) + ", expected " +
                              std::to_string(static_cast<int>(type)));
  }
  return *entry;
}

Status SnapshotCopier::SendStored(const IndexEntry& entry) {
  // The frames go unread, but not past the object's bounds: its frame table must hold.
  STRATA_RETURN_IF_ERROR(src_->packs().ReadFrameTable(entry).status());
  return target_->CopyStored(src_, entry);
}

Status SnapshotCopier::SendBytes(format::ObjectType type, const ObjectId& to, std::string_view bytes) {
  STRATA_RETURN_IF_ERROR(target_->Begin(type));
  Status s = target_->Append(bytes);
  if (!s.ok()) {
    (void)target_->Abort();
    return s;
  }
  return target_->Finish(to);
}

Result<ObjectId> SnapshotCopier::SendPayload(const IndexEntry& payload, std::optional<ObjectId> to) {
  STRATA_RETURN_IF_ERROR(target_->Begin(format::ObjectType::kData));
  Hasher inner;
  std::string chunk;
  Status s;
  for (uint64_t at = 0; s.ok() && at < payload.raw_size; at += chunk.size()) {
    chunk.clear();
    s = src_->ReadPayload(payload.id, at, std::min<uint64_t>(kPayloadChunk, payload.raw_size - at), &chunk);
    if (s.ok() && chunk.empty()) s = Status::Corruption("object " + payload.id.Hex() + ": short read");
    if (s.ok()) s = target_->Append(chunk);
    if (s.ok() && !to) inner.Update(chunk);
  }
  if (s.ok() && !to) {
    // A literal stream's id comes from its bytes: known only now, and maybe the target has it already.
    to = Derive(format::ObjectType::kData, inner.Finish());
    if (target_->Has(*to)) {
      STRATA_RETURN_IF_ERROR(target_->Abort());
      return Done(payload.id, *to, true);
    }
  }
  if (!s.ok()) {
    (void)target_->Abort();
    return s;
  }
  STRATA_RETURN_IF_ERROR(target_->Finish(*to));
  return Done(payload.id, *to, false);
}

Result<ObjectId> SnapshotCopier::CopyPayload(const FileVersion& v) {
  if (auto it = copied_.find(v.payload); it != copied_.end()) return it->second;
  STRATA_ASSIGN_OR_RETURN(IndexEntry entry, Entry(v.payload, format::ObjectType::kData));
  if (verbatim_) {
    if (target_->Has(v.payload)) return Done(v.payload, v.payload, true);
    STRATA_RETURN_IF_ERROR(SendStored(entry));
    return Done(v.payload, v.payload, false);
  }
  if (v.kind == FileVersion::Kind::kDelta) return SendPayload(entry, std::nullopt);
  // A file content's id comes from its content hash, as in the backup that stored it.
  const ObjectId to = Derive(format::ObjectType::kData, v.content_hash);
  if (target_->Has(to)) return Done(v.payload, to, true);
  return SendPayload(entry, to);
}

Result<ObjectId> SnapshotCopier::CopySignature(const ObjectId& id) {
  if (auto it = copied_.find(id); it != copied_.end()) return it->second;
  STRATA_ASSIGN_OR_RETURN(IndexEntry entry, Entry(id, format::ObjectType::kSignature));
  if (verbatim_) {
    if (target_->Has(id)) return Done(id, id, true);
    STRATA_RETURN_IF_ERROR(SendStored(entry));
    return Done(id, id, false);
  }
  STRATA_ASSIGN_OR_RETURN(std::string bytes, src_->ReadObject(id, format::ObjectType::kSignature));
  const ObjectId to = Derive(format::ObjectType::kSignature, HashBytes(bytes));
  if (target_->Has(to)) return Done(id, to, true);
  STRATA_RETURN_IF_ERROR(SendBytes(format::ObjectType::kSignature, to, bytes));
  return Done(id, to, false);
}

Result<ObjectId> SnapshotCopier::CopyVersion(const ObjectId& id, size_t chain) {
  if (auto it = copied_.find(id); it != copied_.end()) return it->second;
  if (chain > kMaxChainWalk) return Status::Corruption("version " + id.Hex() + ": delta chain too long");
  // The record readers use: of a coalesced version's records, the deep one may need bases the shallow one
  // does not, which this copy then leaves out.
  STRATA_ASSIGN_OR_RETURN(VersionRecord record, src_->LoadVersionRecord(id));
  const IndexEntry& entry = record.entry;
  FileVersion& v = record.version;
  const ObjectId to = verbatim_ ? id : Derive(format::ObjectType::kVersion, v.content_hash);
  // A version id stands for its content: whatever record the target has for it rebuilds the same bytes.
  if (target_->Has(to)) return Done(id, to, true);
  bool reencode = !verbatim_;
  if (v.kind == FileVersion::Kind::kDelta) {
    STRATA_ASSIGN_OR_RETURN(v.base, CopyVersion(v.base, chain + 1));
    // The target may hold the base as another record (its own backup stored that content FULL, say):
    // readers require a delta's depth to be its base's + 1 there.
    auto known = depths_.find(v.base);
    std::optional<uint32_t> base_depth =
        known != depths_.end() ? std::optional<uint32_t>(known->second) : target_->VersionDepth(v.base);
    if (base_depth && *base_depth + 1 != v.depth) {
      v.depth = *base_depth + 1;
      reencode = true;
    }
  }
  STRATA_ASSIGN_OR_RETURN(v.signature, CopySignature(v.signature));
  STRATA_ASSIGN_OR_RETURN(v.payload, CopyPayload(v));
  if (reencode) {
    STRATA_RETURN_IF_ERROR(SendBytes(format::ObjectType::kVersion, to, v.Encode()));
  } else {
    STRATA_RETURN_IF_ERROR(SendStored(entry));
  }
  depths_[to] = v.depth;
  return Done(id, to, false);
}

Result<ObjectId> SnapshotCopier::CopyTree(const ObjectId& id, size_t level) {
  if (auto it = copied_.find(id); it != copied_.end()) return it->second;
  if (level > format::kMaxTreeDepth)
    return Status::Corruption("tree " + id.Hex() + ": directories nested too deep");
  STRATA_RETURN_IF_ERROR(CheckCancel());
  STRATA_ASSIGN_OR_RETURN(IndexEntry entry, Entry(id, format::ObjectType::kTree));
  STRATA_ASSIGN_OR_RETURN(std::shared_ptr<const Tree> tree, src_->GetTree(id));
  Tree out = *tree;
  for (TreeEntry& e : out.entries) {
    if (e.type == EntryType::kRegular) {
      STRATA_ASSIGN_OR_RETURN(e.ref, CopyVersion(e.ref, 0));
    } else if (e.type == EntryType::kDirectory) {
      STRATA_ASSIGN_OR_RETURN(e.ref, CopyTree(e.ref, level + 1));
    }
  }
  if (verbatim_) {
    // Its entries kept their ids, so its bytes and its id are the same in the target.
    if (target_->Has(id)) return Done(id, id, true);
    STRATA_RETURN_IF_ERROR(SendStored(entry));
    return Done(id, id, false);
  }
  const std::string bytes = out.Encode();
  const ObjectId to = Derive(format::ObjectType::kTree, HashBytes(bytes));
  if (target_->Has(to)) return Done(id, to, true);
  STRATA_RETURN_IF_ERROR(SendBytes(format::ObjectType::kTree, to, bytes));
  return Done(id, to, false);
}

}  // namespace strata
