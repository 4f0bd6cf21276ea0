#include "src/check.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "src/deep_stack.h"
#include "src/version_stream.h"
#include "store/lock.h"

namespace strata {
namespace {

// As Store's own walk limit: far beyond any max_chain, reachable only by a crafted store.
constexpr int kMaxChainWalk = 4097;

using Deps = std::vector<uint32_t>;  // indexes into CheckResult::problems, or kUnlisted
// A damaged object beyond CheckOptions::max_problems: it makes what needs it damaged, and names nothing.
constexpr uint32_t kUnlisted = UINT32_MAX;

void Merge(Deps* into, const Deps& from) {
  into->insert(into->end(), from.begin(), from.end());
  std::sort(into->begin(), into->end());
  into->erase(std::unique(into->begin(), into->end()), into->end());
}

class Checker {
 public:
  Checker(Store* store, const CheckOptions& options) : store_(store), options_(options) {}
  Result<CheckResult> Run();

 private:
  enum class LeafState { kStructure, kVerified };
  struct Leaf {
    LeafState state = LeafState::kStructure;
    Deps deps;
  };

  uint32_t Problem(const std::string& object, const std::string& kind, const std::string& message);
  void Progress();
  bool Stopped() const { return options_.cancel != nullptr && options_.cancel->cancelled(); }
  void Reached(const ObjectId& id, format::ObjectType type) const {
    if (options_.on_reached) options_.on_reached(id, type);
  }
  void CheckIndexFiles();
  void CheckManifests(const std::vector<SnapshotInfo>& readable, const std::vector<std::string>& problems);
  Result<IndexEntry> Entry(const ObjectId& id, format::ObjectType type);
  const Deps& CheckLeaf(const ObjectId& id, format::ObjectType type);
  Status VerifyFrames(const IndexEntry& entry);
  Deps CheckVersion(const ObjectId& id, int depth);
  bool CheckTree(const ObjectId& id, int depth);
  void CollectDependents(const SnapshotInfo& snapshot, const ObjectId& tree, const std::string& path);
  void AddDependent(uint32_t problem, const SnapshotInfo& snapshot, const std::string& path);

  Store* store_;
  const CheckOptions& options_;
  CheckResult result_;
  CheckProgress progress_;
  std::unordered_map<ObjectId, Leaf, ObjectIdHash> leaves_;
  struct VersionCheck {
    Deps deps;                     // what it needs
    std::optional<uint64_t> size;  // from its record, if that loaded
  };
  std::unordered_map<ObjectId, VersionCheck, ObjectIdHash> versions_;  // every version checked
  std::unordered_set<ObjectId, ObjectIdHash> versions_open_;           // on the current chain walk
  std::unordered_map<ObjectId, bool, ObjectIdHash> trees_;  // tree id: holds damage somewhere below
  std::unordered_map<ObjectId, uint32_t, ObjectIdHash> tree_problems_;  // trees that do not load
  // Trees that load but list a file with another size than its version record's: (entry name, problem).
  std::unordered_map<ObjectId, std::vector<std::pair<std::string, uint32_t>>, ObjectIdHash> entry_problems_;
};

uint32_t Checker::Problem(const std::string& object, const std::string& kind, const std::string& message) {
  if (result_.problems.size() >= options_.max_problems) {
    result_.unlisted_problems++;
    return kUnlisted;
  }
  result_.problems.push_back(CheckProblem{object, kind, message, {}, 0});
  return static_cast<uint32_t>(result_.problems.size() - 1);
}

void Checker::Progress() {
  progress_.objects = result_.trees + result_.versions + result_.objects;
  progress_.bytes_read = result_.bytes_read;
  if (options_.on_progress) options_.on_progress(progress_);
}

void Checker::CheckIndexFiles() {
  const std::string dir = store_->path() + "/" + std::string(format::kIndexDir);
  auto names = store_->env()->ListDir(dir);
  if (!names.ok()) {
    Problem("", "index file", names.status().message());
    return;
  }
  std::sort(names->begin(), names->end());
  for (const std::string& name : *names) {
    if (name.size() != 64 + format::kIndexSuffix.size() || !name.ends_with(format::kIndexSuffix)) continue;
    result_.index_files++;
    Status s = store_->index().VerifyFile(name);
    if (!s.ok())
      Problem(name.substr(0, 64), "index file", s.message() + " (the objects it lists read as missing)");
  }
}

void Checker::CheckManifests(const std::vector<SnapshotInfo>& readable,
                             const std::vector<std::string>& problems) {
  // ListSnapshots reports damaged manifests as messages naming their file; the file name is the id.
  std::unordered_set<std::string> good;
  for (const SnapshotInfo& s : readable) good.insert(s.manifest.id.Hex());
  const std::string dir = store_->path() + "/" + std::string(format::kSnapshotsDir);
  auto names = store_->env()->ListDir(dir);
  std::vector<std::string> ids;
  if (names.ok()) {
    for (const std::string& name : *names) {
      if (name.size() == 64 + format::kManifestSuffix.size() && name.ends_with(format::kManifestSuffix) &&
          good.count(name.substr(0, 64)) == 0) {
        ids.push_back(name.substr(0, 64));
      }
    }
  }
  std::sort(ids.begin(), ids.end());
  for (const std::string& message : problems) {
    auto it = std::find_if(ids.begin(), ids.end(),
                           [&](const std::string& id) { return message.find(id) != std::string::npos; });
    Problem(it != ids.end() ? *it : "", "manifest", message);
  }
}

Result<IndexEntry> Checker::Entry(const ObjectId& id, format::ObjectType type) {
  auto entry = store_->index().Find(id);
  if (!entry) return Status::Corruption("object " + id.Hex() + " is missing: no index file lists it");
  if (entry->type != type) {
    return Status::Corruption("object " + id.Hex() + " is a " + ObjectKindName(entry->type) +
                              " object, expected " + ObjectKindName(type));
  }
  // The frame table check puts the object inside its pack and its frames inside the object.
  STRATA_RETURN_IF_ERROR(store_->packs().ReadFrameTable(*entry).status());
  return *entry;
}

Status Checker::VerifyFrames(const IndexEntry& entry) {
  STRATA_ASSIGN_OR_RETURN(FrameTable table, store_->packs().ReadFrameTable(entry));
  std::string frame;
  for (uint64_t i = 0; i + 1 < table.offsets.size(); i++) {
    STRATA_RETURN_IF_ERROR(store_->packs().ReadFrame(entry, table, i, &frame));
  }
  return Status::Ok();
}

// Data and signature objects: present and in bounds; signatures are also read whole with read_data (data
// objects are read by rebuilding the versions that use them).
const Deps& Checker::CheckLeaf(const ObjectId& id, format::ObjectType type) {
  auto [it, fresh] = leaves_.try_emplace(id);
  if (!fresh) return it->second.deps;
  Reached(id, type);
  result_.objects++;
  auto entry = Entry(id, type);
  Status s = entry.status();
  if (s.ok() && options_.read_data && type == format::ObjectType::kSignature) {
    s = VerifyFrames(*entry);
    it->second.state = LeafState::kVerified;
  }
  if (!s.ok()) it->second.deps = {Problem(id.Hex(), ObjectKindName(type), s.message())};
  Progress();
  return it->second.deps;
}

Deps Checker::CheckVersion(const ObjectId& id, int depth) {
  if (auto it = versions_.find(id); it != versions_.end()) return it->second.deps;
  if (versions_open_.count(id) != 0) return {Problem(id.Hex(), "version", "cyclic delta chain")};
  if (depth > kMaxChainWalk) return {Problem(id.Hex(), "version", "delta chain too long")};
  Reached(id, format::ObjectType::kVersion);
  result_.versions++;
  Deps deps;
  Status s = Entry(id, format::ObjectType::kVersion).status();
  Result<FileVersion> v = s.ok() ? store_->LoadVersion(id) : Result<FileVersion>(s);
  if (!v.ok()) {
    deps = {Problem(id.Hex(), "version", v.status().message())};
  } else {
    Merge(&deps, CheckLeaf(v->signature, format::ObjectType::kSignature));
    Merge(&deps, CheckLeaf(v->payload, format::ObjectType::kData));
    if (v->kind == FileVersion::Kind::kDelta) {
      versions_open_.insert(id);
      Merge(&deps, CheckVersion(v->base, depth + 1));
      versions_open_.erase(id);
    }
  }
  // What this version needs is sound so far: what is left to blame is the record itself, or (read_data)
  // its own payload, the one object its base versions did not already read back.
  if (deps.empty()) s = store_->GetExtentMap(id).status();
  if (deps.empty() && s.ok() && options_.read_data) {
    s = StreamVersion(
        store_, id, std::nullopt,
        [this](std::string_view chunk) {
          result_.bytes_read += chunk.size();
          Progress();
          return Status::Ok();
        },
        "version " + id.Hex());
    Leaf& payload = leaves_[v->payload];
    if (!s.ok()) {
      Status frames = VerifyFrames(*store_->index().Find(v->payload));
      if (!frames.ok()) {
        payload.deps = {Problem(v->payload.Hex(), "data", frames.message())};
        deps = payload.deps;
      }
    }
    payload.state = LeafState::kVerified;
  }
  if (deps.empty() && !s.ok()) deps = {Problem(id.Hex(), "version", s.message())};
  versions_[id] = VersionCheck{deps, v.ok() ? std::optional<uint64_t>(v->size) : std::nullopt};
  Progress();
  return deps;
}

bool Checker::CheckTree(const ObjectId& id, int depth) {
  if (auto it = trees_.find(id); it != trees_.end()) return it->second;
  Reached(id, format::ObjectType::kTree);
  result_.trees++;
  Status s = depth > static_cast<int>(format::kMaxTreeDepth)
                 ? Status::Corruption("tree " + id.Hex() + ": directories nested too deep")
                 : Entry(id, format::ObjectType::kTree).status();
  Result<std::shared_ptr<const Tree>> tree = s.ok() ? store_->GetTree(id) : s;
  if (!tree.ok()) {
    tree_problems_[id] = Problem(id.Hex(), "tree", tree.status().message());
    return trees_[id] = true;
  }
  bool damaged = false;
  for (const TreeEntry& e : (*tree)->entries) {
    if (Stopped()) break;
    if (e.type == EntryType::kRegular) {
      damaged |= !CheckVersion(e.ref, 0).empty();
      const std::optional<uint64_t>& size = versions_[e.ref].size;
      if (size && *size != e.size) {
        const Status mismatch =
            ListedSizeMismatch(e.size, e.ref, *size, "tree " + id.Hex() + ": entry " + e.name);
        const uint32_t problem = Problem(id.Hex(), "tree", mismatch.message());
        if (problem != kUnlisted) entry_problems_[id].emplace_back(e.name, problem);
        damaged = true;
      }
    } else if (e.type == EntryType::kDirectory) {
      damaged |= CheckTree(e.ref, depth + 1);
    }
  }
  Progress();
  return trees_[id] = damaged;
}

void Checker::AddDependent(uint32_t problem, const SnapshotInfo& snapshot, const std::string& path) {
  if (problem == kUnlisted) return;
  CheckProblem& p = result_.problems[problem];
  if (p.dependents.size() < options_.max_paths) {
    p.dependents.push_back(CheckDependent{snapshot.name, snapshot.manifest.id, path.empty() ? "." : path});
  } else {
    p.more_dependents++;
  }
}

// Walks only into subtrees known to hold damage.
void Checker::CollectDependents(const SnapshotInfo& snapshot, const ObjectId& tree, const std::string& path) {
  if (auto it = tree_problems_.find(tree); it != tree_problems_.end()) {
    AddDependent(it->second, snapshot, path);
    return;
  }
  auto loaded = store_->GetTree(tree);
  if (!loaded.ok()) return;  // loaded once already: only a vanished pack gets here
  if (auto it = entry_problems_.find(tree); it != entry_problems_.end()) {
    for (const auto& [name, problem] : it->second) {
      AddDependent(problem, snapshot, path.empty() ? name : path + "/" + name);
    }
  }
  for (const TreeEntry& e : (*loaded)->entries) {
    const std::string child = path.empty() ? e.name : path + "/" + e.name;
    if (e.type == EntryType::kRegular) {
      for (uint32_t p : versions_[e.ref].deps) AddDependent(p, snapshot, child);
    } else if (e.type == EntryType::kDirectory && trees_[e.ref]) {
      CollectDependents(snapshot, e.ref, child);
    }
  }
}

Result<CheckResult> Checker::Run() {
  std::vector<std::string> manifest_problems;
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, store_->ListSnapshots(&manifest_problems));
  result_.snapshots = snapshots.size();
  progress_.snapshots_total = snapshots.size();
  CheckIndexFiles();
  CheckManifests(snapshots, manifest_problems);
  for (const SnapshotInfo& s : snapshots) {
    progress_.snapshot = s.name;
    Progress();
    CheckTree(s.manifest.root.ref, 0);
    if (Stopped()) return Status::Cancelled("check of store " + store_->path() + " cancelled");
    progress_.snapshots_done++;
    Progress();
  }
  for (const SnapshotInfo& s : snapshots) {
    if (trees_[s.manifest.root.ref]) CollectDependents(s, s.manifest.root.ref, "");
  }
  return std::move(result_);
}

}  // namespace

const char* ObjectKindName(format::ObjectType type) {
  switch (type) {
    case format::ObjectType::kData:
      return "data";
    case format::ObjectType::kTree:
      return "tree";
    case format::ObjectType::kVersion:
      return "version";
    case format::ObjectType::kSignature:
      return "signature";
  }
  return "object";
}

Result<CheckResult> RunCheck(Store* store, const CheckOptions& options) {
  STRATA_ASSIGN_OR_RETURN(auto lock, StoreLock::Acquire(store->env(), store->path(), LockKind::kShared,
                                                        "check", options.on_note));
  return RunCheckLocked(store, options);
}

Result<CheckResult> RunCheckLocked(Store* store, const CheckOptions& options) {
  Checker checker(store, options);
  std::optional<Result<CheckResult>> result;
  RunOnDeepStack(kDeepWalkStack, [&] { result.emplace(checker.Run()); });
  return std::move(*result);
}

}  // namespace strata
