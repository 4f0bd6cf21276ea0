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

// Reads a file front to back in chunks, handing out holes as zeros without reading them (SEEK_DATA /
// SEEK_HOLE): a 5 GiB sparse file with a few written blocks costs a few reads, not 5 GiB of them.
class SparseReader {
 public:
  // `size` is the file size from fstat; holes are only trusted up to it.
  SparseReader(int fd, uint64_t size, size_t chunk);
  // The next chunk; empty at end of file. Errors carry errno.
  Result<std::string_view> Next();
  uint64_t offset() const { return offset_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  int fd_;
  uint64_t size_;
  std::string buf_;
  uint64_t offset_ = 0;
  uint64_t data_end_ = 0;  // the current data region ends here; past it, the next region is looked up
  uint64_t hole_end_ = 0;  // inside a hole when offset_ < hole_end_
  bool seek_works_ = true;
  uint64_t bytes_read_ = 0;
};

}  // namespace strata
