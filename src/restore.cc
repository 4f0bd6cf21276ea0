#include "src/restore.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>

#include "src/deep_stack.h"
#include "src/fs_util.h"
#include "src/tree_walk.h"
#include "src/version_stream.h"
#include "store/zeros.h"

namespace strata {
namespace {

constexpr size_t kHoleGranule = 4096;

Status WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno("write", errno);
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

class Restorer {
 public:
  Restorer(Store* store, const RestoreOptions& options) : store_(store), options_(options) {}

  void RestoreChildren(int dirfd, const std::string& display, const Tree& tree);
  // Restoring starts: the totals are what the caller knows of them (0: unknown).
  void Start(uint64_t files_total, uint64_t bytes_total) {
    progress_.phase = ProgressPhase::kRestoring;
    progress_.files_total = files_total;
    progress_.bytes_total = bytes_total;
    if (options_.on_progress) options_.on_progress(progress_);
  }
  void RestoreEntry(int dirfd, const std::string& display, const TreeEntry& e);
  void ApplyMetadata(int dirfd, const std::string& name, int fd, const TreeEntry& e,
                     const std::string& display);
  // `path` is the destination path concerned, also named in `msg`.
  void Error(const std::string& path, const std::string& msg) {
    stats_.errors++;
    if (options_.on_error) options_.on_error(msg, path);
  }
  RestoreStats stats() const { return stats_; }
  bool cancelled() const { return cancelled_; }
  // Sends the final counts as kDone.
  void ReportDone();
  int root_fd = -1;
  TreeWalk walk;  // the directories being restored, from the root down

 private:
  bool MakeRoom(int dirfd, const std::string& name, EntryType type, const std::string& display);
  Status WriteContent(int fd, const TreeEntry& e, const std::string& display);
  // A regular file is restored, linked, or left out for an error.
  void FileDone(const TreeEntry& e, const std::string& display);
  bool Stopped();

  Store* store_;
  const RestoreOptions& options_;
  RestoreStats stats_;
  std::map<std::pair<uint64_t, uint64_t>, std::string> links_;  // (dev, ino) -> path relative to root_fd
  std::string rel_;  // path of the directory being restored, relative to root_fd
  Progress progress_;
  bool cancelled_ = false;
};

void Restorer::FileDone(const TreeEntry& e, const std::string& display) {
  progress_.files_done++;
  progress_.bytes_done += e.size;
  progress_.current_path = display;
  if (options_.on_progress) options_.on_progress(progress_);
}

void Restorer::ReportDone() {
  progress_.phase = ProgressPhase::kDone;
  progress_.files_total = progress_.files_done;
  progress_.bytes_total = progress_.bytes_done;
  if (options_.on_progress) options_.on_progress(progress_);
}

bool Restorer::Stopped() {
  if (options_.cancel != nullptr && options_.cancel->cancelled()) cancelled_ = true;
  return cancelled_;
}

bool IsRoot() { return geteuid() == 0; }

Status RemoveTree(int dirfd, const std::string& name) {
  struct stat st;
  if (fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return Status::FromErrno(name, errno);
  if (S_ISDIR(st.st_mode)) {
    int fd = openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(name, errno);
    auto names = ListDirFd(fd);
    Status s = names.status();
    if (s.ok()) {
      for (const std::string& n : *names) {
        s = RemoveTree(fd, n);
        if (!s.ok()) break;
      }
    }
    close(fd);
    STRATA_RETURN_IF_ERROR(s);
    if (unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0) return Status::FromErrno(name, errno);
    return Status::Ok();
  }
  if (unlinkat(dirfd, name.c_str(), 0) != 0) return Status::FromErrno(name, errno);
  return Status::Ok();
}

// Clears the way for `name`: an existing directory is kept when a directory is wanted (its contents are
// then merged), anything else is removed. Only with --overwrite can anything exist.
bool Restorer::MakeRoom(int dirfd, const std::string& name, EntryType type, const std::string& display) {
  if (!options_.overwrite) return true;
  struct stat st;
  if (fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return true;
  if (type == EntryType::kDirectory && S_ISDIR(st.st_mode)) return true;
  Status s = RemoveTree(dirfd, name);
  if (!s.ok()) {
    Error(display, display + ": cannot replace existing entry: " + s.message());
    return false;
  }
  return true;
}

void Restorer::ApplyMetadata(int dirfd, const std::string& name, int fd, const TreeEntry& e,
                             const std::string& display) {
  const bool link = e.type == EntryType::kSymlink;
  auto fail = [&](const char* what) {
    Error(display, Status::FromErrno(display + ": " + what, errno).message());
  };
  // Owner first (chown clears setuid/setgid), then xattrs (an ACL sets the group bits), then mode, then
  // times.
  if (IsRoot()) {
    int rc =
        fd >= 0 ? fchown(fd, e.uid, e.gid) : fchownat(dirfd, name.c_str(), e.uid, e.gid, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) fail("chown");
  }
  const std::string proc = "/proc/self/fd/" + std::to_string(dirfd) + "/" + name;
  for (const auto& [attr, value] : e.xattrs) {
    int rc = fd >= 0 ? fsetxattr(fd, attr.c_str(), value.data(), value.size(), 0)
                     : lsetxattr(proc.c_str(), attr.c_str(), value.data(), value.size(), 0);
    if (rc != 0) Error(display, Status::FromErrno(display + ": setxattr " + attr, errno).message());
  }
  if (!link) {
    int rc = fd >= 0 ? fchmod(fd, e.mode) : fchmodat(dirfd, name.c_str(), e.mode, 0);
    if (rc != 0) fail("chmod");
  }
  struct timespec times[2] = {TimespecFromNanos(e.mtime_ns), TimespecFromNanos(e.mtime_ns)};
  int rc = fd >= 0 ? futimens(fd, times) : utimensat(dirfd, name.c_str(), times, AT_SYMLINK_NOFOLLOW);
  if (rc != 0) fail("set times");
}

Status Restorer::WriteContent(int fd, const TreeEntry& e, const std::string& display) {
  uint64_t written = 0;
  Status streamed = StreamVersion(
      store_, e.ref, e.size,
      [&](std::string_view chunk) -> Status {
        // Zero runs become holes, so sparse files stay sparse.
        for (size_t pos = 0; pos < chunk.size(); pos += kHoleGranule) {
          size_t n = std::min(kHoleGranule, chunk.size() - pos);
          if (IsAllZero(chunk.substr(pos, n))) {
            if (lseek(fd, static_cast<off_t>(n), SEEK_CUR) < 0) return Status::FromErrno("seek", errno);
          } else {
            STRATA_RETURN_IF_ERROR(WriteAll(fd, chunk.data() + pos, n));
          }
        }
        written += chunk.size();
        return Status::Ok();
      },
      display);
  STRATA_RETURN_IF_ERROR(streamed);
  if (written != e.size) return Status::Corruption(display + ": content size differs from the recorded size");
  if (ftruncate(fd, static_cast<off_t>(written)) != 0) return Status::FromErrno("truncate", errno);
  stats_.bytes += written;
  return Status::Ok();
}

void Restorer::RestoreEntry(int dirfd, const std::string& display, const TreeEntry& e) {
  const std::string& name = e.name;
  if (!IsValidEntryName(name)) {
    Error(display, display + ": refusing unsafe name in snapshot");
    return;
  }
  if (!MakeRoom(dirfd, name, e.type, display)) return;
  const std::string rel = rel_.empty() ? name : rel_ + "/" + name;
  switch (e.type) {
    case EntryType::kRegular: {
      const bool linked = e.nlink > 1;
      if (linked) {
        auto it = links_.find({e.dev, e.ino});
        if (it != links_.end()) {
          if (linkat(root_fd, it->second.c_str(), dirfd, name.c_str(), 0) != 0) {
            Error(display, Status::FromErrno(display + ": link", errno).message());
          }
          FileDone(e, display);
          return;
        }
      }
      int fd = openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0) {
        Error(display, Status::FromErrno(display + ": create", errno).message());
        FileDone(e, display);
        return;
      }
      Status s = WriteContent(fd, e, display);
      if (!s.ok()) {
        close(fd);
        unlinkat(dirfd, name.c_str(), 0);  // never leave wrong bytes behind
        Error(display, display + ": " + s.message());
        FileDone(e, display);
        return;
      }
      ApplyMetadata(dirfd, name, fd, e, display);
      if (close(fd) != 0) Error(display, Status::FromErrno(display + ": close", errno).message());
      stats_.files++;
      if (linked) links_[{e.dev, e.ino}] = rel;
      FileDone(e, display);
      return;
    }
    case EntryType::kDirectory: {
      if (mkdirat(dirfd, name.c_str(), 0700) != 0 && !(errno == EEXIST && options_.overwrite)) {
        Error(display, Status::FromErrno(display + ": mkdir", errno).message());
        return;
      }
      int fd = openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        Error(display, Status::FromErrno(display + ": open directory", errno).message());
        return;
      }
      Status entered = walk.Enter(e.ref);
      auto tree = entered.ok() ? store_->LoadTree(e.ref) : Result<Tree>(entered);
      if (!tree.ok()) {
        Error(display, display + ": " + tree.status().message());
      } else {
        std::string saved = rel_;
        rel_ = rel;
        RestoreChildren(fd, display, *tree);
        rel_ = saved;
      }
      if (entered.ok()) walk.Leave();
      ApplyMetadata(dirfd, name, fd, e, display);
      close(fd);
      stats_.dirs++;
      return;
    }
    case EntryType::kSymlink:
      if (symlinkat(e.symlink_target.c_str(), dirfd, name.c_str()) != 0) {
        Error(display, Status::FromErrno(display + ": symlink", errno).message());
        return;
      }
      break;
    case EntryType::kFifo:
      if (mkfifoat(dirfd, name.c_str(), 0600) != 0) {
        Error(display, Status::FromErrno(display + ": mkfifo", errno).message());
        return;
      }
      break;
    case EntryType::kCharDevice:
    case EntryType::kBlockDevice: {
      mode_t kind = e.type == EntryType::kCharDevice ? S_IFCHR : S_IFBLK;
      if (mknodat(dirfd, name.c_str(), kind | 0600, static_cast<dev_t>(e.rdev)) != 0) {
        Error(display, Status::FromErrno(display + ": mknod", errno).message());
        return;
      }
      break;
    }
  }
  ApplyMetadata(dirfd, name, -1, e, display);
  stats_.other++;
}

void Restorer::RestoreChildren(int dirfd, const std::string& display, const Tree& tree) {
  for (const TreeEntry& e : tree.entries) {
    if (Stopped()) return;
    RestoreEntry(dirfd, display + "/" + e.name, e);
  }
}

// The snapshot's own totals hold for a restore of its root ("", ".", "/", "./" ...).
bool IsSnapshotRoot(std::string_view path) { return path.find_first_not_of("/.") == std::string_view::npos; }

Status MakeDirs(const std::string& path) {
  std::string partial;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    partial = path.substr(0, slash);
    pos = slash + 1;
    if (partial.empty()) continue;
    if (mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST)
      return Status::FromErrno("create " + partial, errno);
  }
  return Status::Ok();
}

}  // namespace

Status WriteVersionTo(Store* store, const ObjectId& version, uint64_t listed_size, std::FILE* out,
                      const std::string& what) {
  return StreamVersion(
      store, version, listed_size,
      [out](std::string_view chunk) -> Status {
        if (std::fwrite(chunk.data(), 1, chunk.size(), out) != chunk.size()) {
          return Status::FromErrno("write to output", errno);
        }
        return Status::Ok();
      },
      what);
}

namespace {

Result<RestoreStats> Restore(Store* store, const Manifest& snapshot, const std::string& dest,
                             const RestoreOptions& options) {
  STRATA_ASSIGN_OR_RETURN(TreeEntry entry, store->Lookup(snapshot, options.path));
  STRATA_RETURN_IF_ERROR(MakeDirs(dest));
  int fd = open(dest.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("destination " + dest, errno);
  auto existing = ListDirFd(fd);
  if (!existing.ok()) {
    close(fd);
    return existing.status().WithContext("destination " + dest);
  }
  if (!existing->empty() && !options.overwrite) {
    close(fd);
    return Status::FailedPrecondition("destination " + dest +
                                      " is not empty (use --overwrite to restore into it)");
  }
  Restorer restorer(store, options);
  restorer.root_fd = fd;
  if (entry.type == EntryType::kRegular) {
    restorer.Start(1, entry.size);
  } else if (IsSnapshotRoot(options.path)) {
    restorer.Start(snapshot.stats.files, snapshot.stats.bytes);
  } else {
    restorer.Start(0, 0);
  }
  std::string display = dest;
  while (display.size() > 1 && display.back() == '/') display.pop_back();
  if (entry.type == EntryType::kDirectory) {
    auto tree = store->LoadTree(entry.ref);
    if (!tree.ok()) {
      close(fd);
      return tree.status();
    }
    // The walk's first level, which cannot fail; the walk ends with the restore.
    (void)restorer.walk.Enter(entry.ref);
    restorer.RestoreChildren(fd, display, *tree);
    // The destination takes the metadata of the restored directory, like cp -a SRC/. DEST.
    restorer.ApplyMetadata(fd, "", fd, entry, display);
  } else {
    if (entry.name.empty()) {
      size_t slash = options.path.find_last_of('/');
      entry.name = slash == std::string::npos ? options.path : options.path.substr(slash + 1);
    }
    restorer.RestoreEntry(fd, display + "/" + entry.name, entry);
  }
  close(fd);
  if (restorer.cancelled()) {
    return Status::Cancelled("restore into " + dest + " cancelled: what was restored so far is left there");
  }
  restorer.ReportDone();
  return restorer.stats();
}

}  // namespace

Result<RestoreStats> RunRestore(Store* store, const Manifest& snapshot, const std::string& dest,
                                const RestoreOptions& options) {
  std::optional<Result<RestoreStats>> result;
  RunOnDeepStack(kDeepWalkStack, [&] { result.emplace(Restore(store, snapshot, dest, options)); });
  return std::move(*result);
}

}  // namespace strata
