#include "src/api/public_types.h"

namespace strata {
namespace {

FileType ToFileType(EntryType type) {
  switch (type) {
    case EntryType::kRegular:
      return FileType::kRegular;
    case EntryType::kDirectory:
      return FileType::kDirectory;
    case EntryType::kSymlink:
      return FileType::kSymlink;
    case EntryType::kFifo:
      return FileType::kFifo;
    case EntryType::kCharDevice:
      return FileType::kCharDevice;
    case EntryType::kBlockDevice:
      return FileType::kBlockDevice;
  }
  return FileType::kRegular;  // Tree::Decode admits no other type
}

}  // namespace

Snapshot ToSnapshot(const SnapshotInfo& info) {
  const Manifest& m = info.manifest;
  Snapshot s;
  s.id = m.id.Hex();
  s.name = info.name;
  s.time_ns = m.time_ns;
  s.host = m.host;
  s.label = m.label;
  s.paths = m.paths;
  if (!m.parent.IsZero()) s.parent_id = m.parent.Hex();
  if (!m.origin.IsZero()) s.origin_id = m.origin.Hex();
  s.files = m.stats.files;
  s.dirs = m.stats.dirs;
  s.bytes = m.stats.bytes;
  s.errors = m.stats.errors;
  s.other = m.stats.other;
  s.files_new = m.stats.files_new;
  s.files_changed = m.stats.files_changed;
  s.files_unchanged = m.stats.files_unchanged;
  s.bytes_read = m.stats.bytes_read;
  s.bytes_added = m.stats.bytes_added;
  return s;
}

Entry ToEntry(const TreeEntry& entry) {
  Entry e;
  e.name = entry.name;
  e.type = ToFileType(entry.type);
  e.mode = entry.mode;
  e.uid = entry.uid;
  e.gid = entry.gid;
  e.user = entry.user;
  e.group = entry.group;
  e.size = entry.size;
  e.mtime_ns = entry.mtime_ns;
  e.ctime_ns = entry.ctime_ns;
  e.nlink = entry.nlink;
  e.rdev = entry.rdev;
  e.symlink_target = entry.symlink_target;
  e.xattr_names.reserve(entry.xattrs.size());
  for (const auto& [name, value] : entry.xattrs) e.xattr_names.push_back(name);
  return e;
}

DamagedObject ToDamagedObject(const CheckProblem& problem) {
  DamagedObject d;
  d.object = problem.object;
  d.kind = problem.kind;
  d.message = problem.message;
  for (const CheckDependent& dep : problem.dependents) {
    d.paths.push_back(DamagedPath{dep.snapshot, dep.snapshot_id.Hex(), dep.path});
  }
  d.more_paths = problem.more_dependents;
  return d;
}

KdfStrength ToKdfStrength(KeyStrength strength) {
  switch (strength) {
    case KeyStrength::kMinimum:
      return KdfStrength::kMinimum;
    case KeyStrength::kInteractive:
      return KdfStrength::kInteractive;
    case KeyStrength::kModerate:
      return KdfStrength::kModerate;
    case KeyStrength::kSensitive:
      return KdfStrength::kSensitive;
  }
  return kDefaultKdfStrength;
}

Result<KeyStrength> ParseKeyStrength(std::string_view name) {
  STRATA_ASSIGN_OR_RETURN(KdfStrength parsed, ParseKdfStrength(name));
  for (KeyStrength k :
       {KeyStrength::kMinimum, KeyStrength::kInteractive, KeyStrength::kModerate, KeyStrength::kSensitive}) {
    if (ToKdfStrength(k) == parsed) return k;
  }
  return Status::InvalidArgument("unknown key strength '" + std::string(name) + "'");
}

}  // namespace strata
