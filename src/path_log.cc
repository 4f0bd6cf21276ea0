#include "src/path_log.h"

#include <optional>

#include "src/entry_change.h"
#include "src/snapshot_path.h"

namespace strata {
namespace {

// How a regular file's version is stored.
Status DescribeStorage(Store* store, PathVersion* v, const std::string& what) {
  if (v->entry.type != EntryType::kRegular) return Status::Ok();
  auto version = store->LoadVersion(v->entry.ref);
  if (!version.ok()) return version.status().WithContext(what);
  v->storage = version->kind == FileVersion::Kind::kFull ? Storage::kFull : Storage::kDelta;
  v->chain_depth = version->depth;
  return Status::Ok();
}

}  // namespace

Result<std::vector<PathVersion>> PathLog(Store* store, const std::vector<SnapshotInfo>& snapshots,
                                         std::string_view path) {
  const std::string where = NormalizedPath(path);
  std::vector<PathVersion> out;
  std::optional<TreeEntry> last;  // the path in the previous snapshot, if it was there
  bool seen = false;
  for (size_t i = 0; i < snapshots.size(); i++) {
    const std::string what = "snapshot " + snapshots[i].name + ": " + ShownPath(where);
    auto entry = store->Lookup(snapshots[i].manifest, where);
    if (!entry.ok() && !entry.status().IsNotFound()) return entry.status().WithContext(what);
    PathVersion v;
    v.snapshot = i;
    if (!entry.ok()) {
      if (!last) continue;
      v.kind = ChangeKind::kDeleted;
      v.entry = std::move(*last);
      last.reset();
      out.push_back(std::move(v));
      continue;
    }
    seen = true;
    if (last) {
      auto change = CompareEntries(*last, *entry);
      if (!change) continue;
      v.kind = change->kind;
      v.metadata = change->metadata;
    } else {
      v.kind = ChangeKind::kCreated;
    }
    last = *entry;
    v.entry = std::move(entry).value();
    STRATA_RETURN_IF_ERROR(DescribeStorage(store, &v, what));
    out.push_back(std::move(v));
  }
  if (!seen) return Status::NotFound(ShownPath(where) + ": in no snapshot of store " + store->path());
  return out;
}

}  // namespace strata
