#include "src/snapshot_diff.h"

#include <optional>

#include "src/deep_stack.h"
#include "src/entry_change.h"
#include "src/snapshot_path.h"
#include "src/tree_walk.h"

namespace strata {
namespace {

class Differ {
 public:
  Differ(Store* store, const TreeChangeSink& sink) : store_(store), sink_(sink) {}

  const DiffSummary& summary() const { return summary_; }

  // One path that exists on both sides.
  Status Compare(const std::string& path, const TreeEntry& before, const TreeEntry& after) {
    if (auto change = CompareEntries(before, after)) {
      STRATA_RETURN_IF_ERROR(Emit({change->kind, path, &before, &after, change->metadata}));
      if (change->kind == ChangeKind::kTypeChanged) {
        STRATA_RETURN_IF_ERROR(Inside(ChangeKind::kDeleted, path, before));
        return Inside(ChangeKind::kCreated, path, after);
      }
    }
    if (before.type != EntryType::kDirectory || before.ref == after.ref) return Status::Ok();
    return Directories(path, before, after);
  }

  // The children of two versions of a directory, merged by name.
  Status Directories(const std::string& path, const TreeEntry& before, const TreeEntry& after) {
    STRATA_ASSIGN_OR_RETURN(auto old_tree, Load(before.ref, &before_walk_, path));
    auto new_tree = Load(after.ref, &after_walk_, path);
    if (!new_tree.ok()) {
      before_walk_.Leave();
      return new_tree.status();
    }
    const auto& a = old_tree->entries;
    const auto& b = (*new_tree)->entries;
    Status s;
    size_t i = 0;
    size_t j = 0;
    while (s.ok() && (i < a.size() || j < b.size())) {
      if (j == b.size() || (i < a.size() && a[i].name < b[j].name)) {
        s = Whole(ChangeKind::kDeleted, ChildPath(path, a[i].name), a[i]);
        i++;
      } else if (i == a.size() || b[j].name < a[i].name) {
        s = Whole(ChangeKind::kCreated, ChildPath(path, b[j].name), b[j]);
        j++;
      } else {
        s = Compare(ChildPath(path, a[i].name), a[i], b[j]);
        i++;
        j++;
      }
    }
    after_walk_.Leave();
    before_walk_.Leave();
    return s;
  }

  // An entry that exists on one side only, and all it holds.
  Status Whole(ChangeKind kind, const std::string& path, const TreeEntry& e) {
    const bool created = kind == ChangeKind::kCreated;
    STRATA_RETURN_IF_ERROR(Emit({kind, path, created ? nullptr : &e, created ? &e : nullptr, 0}));
    return Inside(kind, path, e);
  }

 private:
  Status Emit(const TreeChange& change) {
    switch (change.kind) {
      case ChangeKind::kCreated:
        summary_.created++;
        break;
      case ChangeKind::kDeleted:
        summary_.deleted++;
        break;
      case ChangeKind::kModified:
        summary_.modified++;
        break;
      case ChangeKind::kMetadata:
        summary_.metadata++;
        break;
      case ChangeKind::kTypeChanged:
        summary_.type_changed++;
        break;
    }
    return sink_(change);
  }

  // What a directory holds, all created or all deleted; nothing for other entries.
  Status Inside(ChangeKind kind, const std::string& path, const TreeEntry& dir) {
    if (dir.type != EntryType::kDirectory) return Status::Ok();
    TreeWalk* walk = kind == ChangeKind::kCreated ? &after_walk_ : &before_walk_;
    STRATA_ASSIGN_OR_RETURN(auto tree, Load(dir.ref, walk, path));
    Status s;
    for (size_t i = 0; s.ok() && i < tree->entries.size(); i++) {
      s = Whole(kind, ChildPath(path, tree->entries[i].name), tree->entries[i]);
    }
    walk->Leave();
    return s;
  }

  // Enters the tree on `walk` (the caller leaves it) and loads it; errors name the path.
  Result<std::shared_ptr<const Tree>> Load(const ObjectId& ref, TreeWalk* walk, const std::string& path) {
    Status entered = walk->Enter(ref);
    if (!entered.ok()) return entered.WithContext(ShownPath(path));
    auto tree = store_->GetTree(ref);
    if (!tree.ok()) {
      walk->Leave();
      return tree.status().WithContext(ShownPath(path));
    }
    return tree;
  }

  Store* store_;
  const TreeChangeSink& sink_;
  DiffSummary summary_;
  TreeWalk before_walk_;  // the trees being compared, from the root down, on each side
  TreeWalk after_walk_;
};

// The entry at `path`, or none where the snapshot has no such path.
Result<std::optional<TreeEntry>> Find(Store* store, const SnapshotInfo& snapshot, const std::string& path) {
  auto entry = store->Lookup(snapshot.manifest, path);
  if (entry.ok()) return std::optional<TreeEntry>(std::move(entry).value());
  if (entry.status().IsNotFound()) return std::optional<TreeEntry>();
  return entry.status().WithContext("snapshot " + snapshot.name + ": " + ShownPath(path));
}

}  // namespace

Result<DiffSummary> DiffSnapshots(Store* store, const SnapshotInfo& before, const SnapshotInfo& after,
                                  std::string_view path, const TreeChangeSink& sink) {
  const std::string where = NormalizedPath(path);
  STRATA_ASSIGN_OR_RETURN(std::optional<TreeEntry> old_entry, Find(store, before, where));
  STRATA_ASSIGN_OR_RETURN(std::optional<TreeEntry> new_entry, Find(store, after, where));
  if (!old_entry && !new_entry) {
    return Status::NotFound(ShownPath(where) + ": in neither snapshot " + before.name + " nor " + after.name);
  }
  Differ differ(store, sink);
  Status s;
  RunOnDeepStack(kDeepWalkStack, [&] {
    if (where.empty()) {
      if (old_entry->ref != new_entry->ref) s = differ.Directories(where, *old_entry, *new_entry);
    } else if (old_entry && new_entry) {
      s = differ.Compare(where, *old_entry, *new_entry);
    } else {
      s = differ.Whole(old_entry ? ChangeKind::kDeleted : ChangeKind::kCreated, where,
                       old_entry ? *old_entry : *new_entry);
    }
  });
  if (!s.ok()) return s;
  return differ.summary();
}

}  // namespace strata
