// How diff and log print a change: its one-letter marker, its name, and an entry's fields in JSON.
#pragma once

#include <string>
#include <vector>

#include "src/cli/json.h"
#include "store/tree.h"
#include "strata/history.h"

namespace strata::cli {

// '+' created, '-' deleted, 'M' content modified, 'm' metadata only, 'T' type changed.
char ChangeMarker(ChangeKind kind);
// "created", "deleted", "modified", "metadata", "type_changed".
const char* ChangeName(ChangeKind kind);
// The names of metadata_change bits: "mode", "owner", "mtime", "xattrs", "link_target", "device".
std::vector<std::string> MetadataNames(uint32_t bits);
// "file", "dir", "symlink", "fifo", "chardev", "blockdev".
const char* EntryTypeName(EntryType type);
// The path as printed: escaped, directories with a trailing '/'.
std::string ShownEntryPath(const std::string& path, const TreeEntry& e);
// An entry's type, mode, owner, size, mtime, link target and xattr names, as a JSON object.
std::string EntryJson(const TreeEntry& e);

}  // namespace strata::cli
