#include "src/cli/change_output.h"

#include <cstdio>

#include "src/cli/cli.h"

namespace strata::cli {

char ChangeMarker(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kCreated:
      return '+';
    case ChangeKind::kDeleted:
      return '-';
    case ChangeKind::kModified:
      return 'M';
    case ChangeKind::kMetadata:
      return 'm';
    case ChangeKind::kTypeChanged:
      return 'T';
  }
  return '?';
}

const char* ChangeName(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kCreated:
      return "created";
    case ChangeKind::kDeleted:
      return "deleted";
    case ChangeKind::kModified:
      return "modified";
    case ChangeKind::kMetadata:
      return "metadata";
    case ChangeKind::kTypeChanged:
      return "type_changed";
  }
  return "";
}

std::vector<std::string> MetadataNames(uint32_t bits) {
  namespace mc = metadata_change;
  const std::pair<uint32_t, const char*> names[] = {{mc::kMode, "mode"},
                                                    {mc::kOwner, "owner"},
                                                    {mc::kMtime, "mtime"},
                                                    {mc::kXattrs, "xattrs"},
                                                    {mc::kLinkTarget, "link_target"},
                                                    {mc::kDevice, "device"}};
  std::vector<std::string> out;
  for (const auto& [bit, name] : names) {
    if ((bits & bit) != 0) out.emplace_back(name);
  }
  return out;
}

const char* EntryTypeName(EntryType type) {
  switch (type) {
    case EntryType::kRegular:
      return "file";
    case EntryType::kDirectory:
      return "dir";
    case EntryType::kSymlink:
      return "symlink";
    case EntryType::kFifo:
      return "fifo";
    case EntryType::kCharDevice:
      return "chardev";
    case EntryType::kBlockDevice:
      return "blockdev";
  }
  return "";
}

std::string ShownEntryPath(const std::string& path, const TreeEntry& e) {
  return Escape(path) + (e.type == EntryType::kDirectory ? "/" : "");
}

std::string EntryJson(const TreeEntry& e) {
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", e.mode);
  JsonObject o;
  o.Add("type", EntryTypeName(e.type))
      .Add("mode", mode)
      .Add("uid", uint64_t{e.uid})
      .Add("gid", uint64_t{e.gid});
  o.Add("size", e.size).Add("mtime", Rfc3339(e.mtime_ns)).Add("mtime_ns", e.mtime_ns);
  if (e.type == EntryType::kSymlink) o.Add("target", e.symlink_target);
  std::vector<std::string> xattrs;
  for (const auto& [name, value] : e.xattrs) xattrs.push_back(name);
  o.Add("xattrs", xattrs);
  return o.str();
}

}  // namespace strata::cli
