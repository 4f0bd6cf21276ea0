// Small POSIX helpers shared by backup and restore: directory-relative opens, xattrs, symlinks.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/status.h"

namespace strata {

// openat() with O_CLOEXEC, trying O_NOATIME first so that a backup does not touch access times (it is
// refused for files the caller does not own). Returns -1 with errno set on failure.
int OpenForBackup(int dirfd, const std::string& name, int flags);

// Extended attributes of `name` in `dirfd` (not following a symlink), or of `dirfd` itself when `name` is
// empty, sorted by name. A file system without xattr support yields none.
Status ReadXattrs(int dirfd, const std::string& name, std::vector<std::pair<std::string, std::string>>* out);

Result<std::string> ReadLinkAt(int dirfd, const std::string& name, size_t size_hint);

// Names in the directory open as `dirfd` (which stays open and is not repositioned for the caller).
Result<std::vector<std::string>> ListDirFd(int dirfd);

// True if the directory holds a CACHEDIR.TAG file starting with `signature` (bford.info/cachedir).
bool IsCacheDir(int dirfd, std::string_view signature);

std::string HostName();

}  // namespace strata
