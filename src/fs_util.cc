#include "src/fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace strata {

int OpenForBackup(int dirfd, const std::string& name, int flags) {
  int fd = openat(dirfd, name.c_str(), flags | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = openat(dirfd, name.c_str(), flags | O_CLOEXEC);
  return fd;
}

namespace {

// The /proc/self/fd path reaches `name` relative to `dirfd` through the l*xattr calls, which have no
// *at() variants; it also works for symlinks, fifos and devices, which cannot be opened safely.
std::string ProcPath(int dirfd, const std::string& name) {
  std::string p = "/proc/self/fd/" + std::to_string(dirfd);
  if (!name.empty()) p += "/" + name;
  return p;
}

bool Unsupported(int err) { return err == ENOTSUP || err == ENODATA; }

}  // namespace

Status ReadXattrs(int dirfd, const std::string& name, std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  const std::string path = ProcPath(dirfd, name);
  std::string list;
  while (true) {
    ssize_t n = name.empty() ? flistxattr(dirfd, nullptr, 0) : llistxattr(path.c_str(), nullptr, 0);
    if (n < 0) return Unsupported(errno) ? Status::Ok() : Status::FromErrno("listxattr", errno);
    if (n == 0) return Status::Ok();
    list.resize(static_cast<size_t>(n));
    n = name.empty() ? flistxattr(dirfd, list.data(), list.size())
                     : llistxattr(path.c_str(), list.data(), list.size());
    if (n < 0 && errno == ERANGE) continue;  // grew in between
    if (n < 0) return Unsupported(errno) ? Status::Ok() : Status::FromErrno("listxattr", errno);
    list.resize(static_cast<size_t>(n));
    break;
  }
  for (size_t pos = 0; pos < list.size();) {
    std::string attr = list.c_str() + pos;
    pos += attr.size() + 1;
    if (attr.empty()) continue;
    std::string value;
    while (true) {
      ssize_t n = name.empty() ? fgetxattr(dirfd, attr.c_str(), nullptr, 0)
                               : lgetxattr(path.c_str(), attr.c_str(), nullptr, 0);
      if (n < 0 && errno == ENODATA) break;  // removed in between
      if (n < 0) return Status::FromErrno("getxattr " + attr, errno);
      value.resize(static_cast<size_t>(n));
      n = name.empty() ? fgetxattr(dirfd, attr.c_str(), value.data(), value.size())
                       : lgetxattr(path.c_str(), attr.c_str(), value.data(), value.size());
      if (n < 0 && errno == ERANGE) continue;
      if (n < 0) return Status::FromErrno("getxattr " + attr, errno);
      value.resize(static_cast<size_t>(n));
      out->emplace_back(attr, value);
      break;
    }
  }
  std::sort(out->begin(), out->end());
  return Status::Ok();
}

Result<std::string> ReadLinkAt(int dirfd, const std::string& name, size_t size_hint) {
  std::string target(std::max<size_t>(size_hint, 64) + 1, '\0');
  while (true) {
    ssize_t n = readlinkat(dirfd, name.c_str(), target.data(), target.size());
    if (n < 0) return Status::FromErrno("readlink", errno);
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

Result<std::vector<std::string>> ListDirFd(int dirfd) {
  int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open directory", errno);
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    close(fd);
    return Status::FromErrno("open directory", err);
  }
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): this DIR* is ours alone
    std::string_view n = e->d_name;
    if (n != "." && n != "..") names.emplace_back(n);
    errno = 0;
  }
  int err = errno;
  closedir(dir);
  if (err != 0) return Status::FromErrno("read directory", err);
  return names;
}

bool IsCacheDir(int dirfd, std::string_view signature) {
  int fd = openat(dirfd, "CACHEDIR.TAG", O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  std::string head(signature.size(), '\0');
  ssize_t n = pread(fd, head.data(), head.size(), 0);
  close(fd);
  return n == static_cast<ssize_t>(signature.size()) && head == signature;
}

SparseReader::SparseReader(int fd, uint64_t size, size_t chunk) : fd_(fd), size_(size), buf_(chunk, '\0') {}

Result<std::string_view> SparseReader::Next() {
  static const std::string kZeros(1 << 20, '\0');
  if (offset_ >= data_end_ && offset_ >= hole_end_ && seek_works_ && offset_ < size_) {
    off_t data = lseek(fd_, static_cast<off_t>(offset_), SEEK_DATA);
    if (data < 0 && errno == ENXIO) {
      hole_end_ = size_;  // a hole up to the end of the file
    } else if (data < 0) {
      seek_works_ = false;  // file system without SEEK_DATA: read everything
    } else if (static_cast<uint64_t>(data) > offset_) {
      hole_end_ = std::min<uint64_t>(static_cast<uint64_t>(data), size_);
    } else {
      off_t hole = lseek(fd_, static_cast<off_t>(offset_), SEEK_HOLE);
      data_end_ = hole < 0 ? UINT64_MAX : static_cast<uint64_t>(hole);
    }
  }
  if (offset_ < hole_end_) {
    size_t n = static_cast<size_t>(std::min<uint64_t>({hole_end_ - offset_, kZeros.size(), buf_.size()}));
    offset_ += n;
    return std::string_view(kZeros.data(), n);
  }
  size_t want = buf_.size();
  if (seek_works_ && data_end_ > offset_)
    want = static_cast<size_t>(std::min<uint64_t>(want, data_end_ - offset_));
  while (true) {
    ssize_t n = pread(fd_, buf_.data(), want, static_cast<off_t>(offset_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("read", errno);
    offset_ += static_cast<uint64_t>(n);
    bytes_read_ += static_cast<uint64_t>(n);
    return std::string_view(buf_.data(), static_cast<size_t>(n));
  }
}

}  // namespace strata
