#define FUSE_USE_VERSION FUSE_MAKE_VERSION(3, 14)
#include "fuse/mount.h"

#include <dirent.h>
#include <fuse_lowlevel.h>
#include <pwd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "fuse/mount_log.h"
#include "fuse/snapshot_fs.h"
#include "store/lmdb_block_cache.h"
#include "store/lmdb_walk_check.h"
#include "store/store.h"

namespace strata {
namespace {

// Snapshot contents never change: the kernel may cache names and attributes for a day. The root (the
// snapshot list) changes when backups land, so its entries expire quickly.
constexpr double kStableTimeout = 86400.0;
constexpr double kRootTimeout = 1.0;

// The kernel's default readahead for a FUSE mount is 128 KiB, so a sequential read arrives as one 128 KiB
// request at a time and pays a round trip to the daemon per request. 1 MiB matches the largest request
// the kernel sends. Only root may change it; otherwise the default stays. The kernel sets it from the
// INIT reply, so it is raised afterwards, when the first file is opened.
constexpr int kReadaheadKb = 1024;

// The device number of the mount at `mountpoint`, from /proc/self/mountinfo: stat() would send a request
// to a session that is not served yet.
std::string MountDevice(const std::string& mountpoint) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line, found;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    if (!(fields >> id >> parent >> device >> root >> point)) continue;
    // mountinfo escapes space, tab, newline and backslash as \ooo.
    std::string unescaped;
    for (size_t i = 0; i < point.size(); i++) {
      if (point[i] == '\\' && i + 3 < point.size() &&
          std::isdigit(static_cast<unsigned char>(point[i + 1]))) {
        unescaped.push_back(static_cast<char>(std::stoi(point.substr(i + 1, 3), nullptr, 8)));
        i += 3;
      } else {
        unescaped.push_back(point[i]);
      }
    }
    if (unescaped == mountpoint) found = device;  // the last one is the mount on top
  }
  return found;
}

void RaiseReadahead(const std::string& mountpoint, MountLog* log) {
  const std::string device = MountDevice(mountpoint);
  if (device.empty()) return;
  std::ofstream out("/sys/class/bdi/" + device + "/read_ahead_kb");
  out << kReadaheadKb << "\n";
  out.flush();
  if (!out) log->Info("kernel readahead left at its default (changing it needs root)");
}

struct Daemon {
  Store* store;
  SnapshotFs* fs;
  MountLog* log;
  struct statvfs store_fs;
  std::atomic<BlockCache*> cache{nullptr};  // attached once opened, possibly while serving
  std::string mountpoint;
  std::once_flag readahead;
  bool no_open = false;  // set at init, before any request
};

Daemon* D(fuse_req_t req) { return static_cast<Daemon*>(fuse_req_userdata(req)); }

int Errno(const Status& s) { return s.ToErrno() == 0 ? EIO : s.ToErrno(); }

double TimeoutFor(fuse_ino_t parent) {
  return parent == SnapshotFs::kRootIno ? kRootTimeout : kStableTimeout;
}

void OpInit(void* userdata, struct fuse_conn_info* conn) {
  if (conn->capable & FUSE_CAP_NO_OPEN_SUPPORT) {
    conn->want |= FUSE_CAP_NO_OPEN_SUPPORT;
    static_cast<Daemon*>(userdata)->no_open = true;
  }
  if (conn->capable & FUSE_CAP_CACHE_SYMLINKS) conn->want |= FUSE_CAP_CACHE_SYMLINKS;
  if (conn->capable & FUSE_CAP_SPLICE_WRITE) conn->want |= FUSE_CAP_SPLICE_WRITE;
}

void OpLookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  auto e = D(req)->fs->Lookup(parent, name);
  if (!e.ok()) {
    if (e.status().IsNotFound()) {
      // A negative entry the kernel may cache like a positive one (snapshots never change).
      struct fuse_entry_param neg;
      std::memset(&neg, 0, sizeof neg);
      neg.entry_timeout = TimeoutFor(parent);
      fuse_reply_entry(req, &neg);
      return;
    }
    fuse_reply_err(req, Errno(e.status()));
    return;
  }
  struct fuse_entry_param p;
  std::memset(&p, 0, sizeof p);
  p.ino = e->ino;
  p.attr = e->st;
  p.attr_timeout = p.entry_timeout = TimeoutFor(parent);
  if (fuse_reply_entry(req, &p) != 0) D(req)->fs->Forget(e->ino, 1);
}

void OpForget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  D(req)->fs->Forget(ino, nlookup);
  fuse_reply_none(req);
}

void OpForgetMulti(fuse_req_t req, size_t count, struct fuse_forget_data* forgets) {
  for (size_t i = 0; i < count; i++) D(req)->fs->Forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void OpGetattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info*) {
  auto st = D(req)->fs->GetAttr(ino);
  if (!st.ok()) {
    fuse_reply_err(req, Errno(st.status()));
    return;
  }
  fuse_reply_attr(req, &*st, ino == SnapshotFs::kRootIno ? kRootTimeout : kStableTimeout);
}

void OpReadlink(fuse_req_t req, fuse_ino_t ino) {
  auto target = D(req)->fs->ReadLink(ino);
  if (!target.ok()) {
    fuse_reply_err(req, Errno(target.status()));
    return;
  }
  fuse_reply_readlink(req, target->c_str());
}

void OpOpendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi) {
  // The root's listing changes as backups land; every other directory is immutable.
  if (ino != SnapshotFs::kRootIno) {
    fi->cache_readdir = 1;
    fi->keep_cache = 1;
  }
  fuse_reply_open(req, fi);
}

void DoReaddir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus) {
  std::string buf(size, '\0');
  size_t used = 0;
  Status s = D(req)->fs->ReadDir(ino, static_cast<uint64_t>(off), plus, [&](const FsEntry& e, uint64_t next) {
    size_t need;
    if (plus) {
      struct fuse_entry_param p;
      std::memset(&p, 0, sizeof p);
      p.ino = e.name == "." || e.name == ".." ? 0 : e.ino;
      p.attr = e.st;
      p.attr_timeout = p.entry_timeout = TimeoutFor(ino);
      need = fuse_add_direntry_plus(req, buf.data() + used, size - used, e.name.c_str(), &p,
                                    static_cast<off_t>(next));
    } else {
      need = fuse_add_direntry(req, buf.data() + used, size - used, e.name.c_str(), &e.st,
                               static_cast<off_t>(next));
    }
    if (need > size - used) return false;
    used += need;
    return true;
  });
  if (!s.ok() && used == 0) {
    fuse_reply_err(req, Errno(s));
    return;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void OpReaddir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info*) {
  DoReaddir(req, ino, size, off, false);
}

void OpReaddirPlus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info*) {
  DoReaddir(req, ino, size, off, true);
}

// Reads find the version through the inode, which the kernel keeps alive while the file is open, so an
// open carries no state. Where the kernel allows it, the first open answers ENOSYS and later opens and
// releases never reach the daemon (the kernel then keeps the page cache, as keep_cache would): two fewer
// round trips per file, a third of what `cp -a` costs per small file.
void OpOpen(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi) {
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & (O_TRUNC | O_APPEND | O_CREAT)) != 0) {
    fuse_reply_err(req, EROFS);
    return;
  }
  auto version = D(req)->fs->Open(ino);
  if (!version.ok()) {
    fuse_reply_err(req, Errno(version.status()));
    return;
  }
  std::call_once(D(req)->readahead, [req] { RaiseReadahead(D(req)->mountpoint, D(req)->log); });
  if (D(req)->no_open) {
    fuse_reply_err(req, ENOSYS);
    return;
  }
  fi->keep_cache = 1;  // content never changes: cached pages stay valid across opens
  fi->noflush = 1;
  fuse_reply_open(req, fi);
}

void OpRead(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info*) {
  std::string out;
  Status s = D(req)->fs->Read(ino, static_cast<uint64_t>(off), size, &out);
  if (!s.ok()) {
    fuse_reply_err(req, EIO);
    return;
  }
  fuse_reply_buf(req, out.data(), out.size());
}

void OpLseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info*) {
  if (whence != SEEK_DATA && whence != SEEK_HOLE) {
    fuse_reply_err(req, EINVAL);
    return;
  }
  auto version = D(req)->fs->Open(ino);
  if (!version.ok()) {
    fuse_reply_err(req, EIO);
    return;
  }
  auto pos = D(req)->fs->Seek(*version, static_cast<uint64_t>(off), whence == SEEK_DATA);
  if (!pos.ok()) {
    fuse_reply_err(req, pos.status().IsNotFound() ? ENXIO : EIO);
    return;
  }
  fuse_reply_lseek(req, static_cast<off_t>(*pos));
}

void OpStatfs(fuse_req_t req, fuse_ino_t) {
  struct statvfs st = D(req)->store_fs;
  st.f_namemax = 255;
  st.f_flag |= ST_RDONLY;
  fuse_reply_statfs(req, &st);
}

// The root also carries the cache counters, so a benchmark or a curious user can read them.
bool IsCacheStats(fuse_req_t req, fuse_ino_t ino, std::string_view name) {
  return ino == SnapshotFs::kRootIno && D(req)->cache.load() != nullptr && name == kCacheStatsXattr;
}

void OpGetxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  auto value = IsCacheStats(req, ino, name) ? Result<std::string>(D(req)->cache.load()->Stats().ToString())
                                            : D(req)->fs->GetXattr(ino, name);
  if (!value.ok()) {
    fuse_reply_err(req, Errno(value.status()));
  } else if (size == 0) {
    fuse_reply_xattr(req, value->size());
  } else if (size < value->size()) {
    fuse_reply_err(req, ERANGE);
  } else {
    fuse_reply_buf(req, value->data(), value->size());
  }
}

void OpListxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  auto names = D(req)->fs->ListXattr(ino);
  if (!names.ok()) {
    fuse_reply_err(req, Errno(names.status()));
    return;
  }
  std::string list;
  for (const std::string& n : *names) list.append(n).push_back('\0');
  if (IsCacheStats(req, ino, kCacheStatsXattr)) list.append(kCacheStatsXattr).push_back('\0');
  if (size == 0) {
    fuse_reply_xattr(req, list.size());
  } else if (size < list.size()) {
    fuse_reply_err(req, ERANGE);
  } else {
    fuse_reply_buf(req, list.data(), list.size());
  }
}

// Every call that would change something: the mount is read-only.
void OpSetattr(fuse_req_t req, fuse_ino_t, struct stat*, int, struct fuse_file_info*) {
  fuse_reply_err(req, EROFS);
}
void OpMknod(fuse_req_t req, fuse_ino_t, const char*, mode_t, dev_t) { fuse_reply_err(req, EROFS); }
void OpMkdir(fuse_req_t req, fuse_ino_t, const char*, mode_t) { fuse_reply_err(req, EROFS); }
void OpUnlink(fuse_req_t req, fuse_ino_t, const char*) { fuse_reply_err(req, EROFS); }
void OpSymlink(fuse_req_t req, const char*, fuse_ino_t, const char*) { fuse_reply_err(req, EROFS); }
void OpRename(fuse_req_t req, fuse_ino_t, const char*, fuse_ino_t, const char*, unsigned int) {
  fuse_reply_err(req, EROFS);
}
void OpLink(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) { fuse_reply_err(req, EROFS); }
void OpSetxattr(fuse_req_t req, fuse_ino_t, const char*, const char*, size_t, int) {
  fuse_reply_err(req, EROFS);
}
void OpRemovexattr(fuse_req_t req, fuse_ino_t, const char*) { fuse_reply_err(req, EROFS); }
void OpCreate(fuse_req_t req, fuse_ino_t, const char*, mode_t, struct fuse_file_info*) {
  fuse_reply_err(req, EROFS);
}

fuse_lowlevel_ops Ops() {
  fuse_lowlevel_ops ops;
  std::memset(&ops, 0, sizeof ops);
  ops.init = OpInit;
  ops.lookup = OpLookup;
  ops.forget = OpForget;
  ops.forget_multi = OpForgetMulti;
  ops.getattr = OpGetattr;
  ops.readlink = OpReadlink;
  ops.opendir = OpOpendir;
  ops.readdir = OpReaddir;
  ops.readdirplus = OpReaddirPlus;
  ops.open = OpOpen;
  ops.read = OpRead;
  ops.lseek = OpLseek;
  ops.statfs = OpStatfs;
  ops.getxattr = OpGetxattr;
  ops.listxattr = OpListxattr;
  ops.setattr = OpSetattr;
  ops.mknod = OpMknod;
  ops.mkdir = OpMkdir;
  ops.unlink = OpUnlink;
  ops.rmdir = OpUnlink;
  ops.symlink = OpSymlink;
  ops.rename = OpRename;
  ops.link = OpLink;
  ops.setxattr = OpSetxattr;
  ops.removexattr = OpRemovexattr;
  ops.create = OpCreate;
  return ops;
}

// True if `path` is already a mount point (its device differs from its parent's, or it is "/").
bool IsMountPoint(const std::string& path) {
  struct stat st, parent;
  if (stat(path.c_str(), &st) != 0) return false;
  if (stat((path + "/..").c_str(), &parent) != 0) return false;
  return st.st_dev != parent.st_dev || st.st_ino == parent.st_ino;
}

Status CheckMountPoint(const std::string& path) {
  struct stat st;
  // lstat, not stat: a mount point served by a dead daemon answers ENOTCONN, which is worth naming.
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOTCONN) {
      return Status::FailedPrecondition("mount point " + path + " is a stale mount (run 'strata umount " +
                                        path + "' first)");
    }
    return Status::FromErrno("mount point " + path, errno);
  }
  if (!S_ISDIR(st.st_mode)) return Status::FailedPrecondition("mount point " + path + " is not a directory");
  if (IsMountPoint(path)) return Status::FailedPrecondition("mount point " + path + " is already mounted");
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return Status::FromErrno("mount point " + path, errno);
  bool empty = true;
  while (dirent* e = readdir(dir)) {  // NOLINT(concurrency-mt-unsafe): this DIR* is ours alone
    std::string n = e->d_name;
    if (n != "." && n != "..") {
      empty = false;
      break;
    }
  }
  closedir(dir);
  if (!empty) return Status::FailedPrecondition("mount point " + path + " is not empty");
  return Status::Ok();
}

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) != nullptr ? std::string(buf) : path;
}

// $XDG_CACHE_HOME/strata/UUID, with ~/.cache for an unset, empty or relative XDG_CACHE_HOME (as the XDG
// base directory specification says). Read before daemonizing, like every other path.
std::string DefaultCacheDir(const std::string& store_uuid) {
  // NOLINTBEGIN(concurrency-mt-unsafe): no thread has been started yet
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  std::string base;
  if (xdg != nullptr && xdg[0] == '/') {
    base = xdg;
  } else {
    const char* home = std::getenv("HOME");
    const struct passwd* pw = home == nullptr || home[0] != '/' ? getpwuid(getuid()) : nullptr;
    base = std::string(pw != nullptr ? pw->pw_dir : (home != nullptr ? home : "")) + "/.cache";
  }
  // NOLINTEND(concurrency-mt-unsafe)
  return base + "/strata/" + store_uuid;
}

// Opens the block cache after daemonizing (LMDB must not cross a fork); without one the mount still works.
std::unique_ptr<LmdbBlockCache> OpenCache(const MountOptions& options, const std::string& dir, Store* store,
                                          MountLog* log, bool walk_passed) {
  LmdbBlockCacheOptions o;
  o.walk_passed = walk_passed;
  o.dir = dir;
  o.store_uuid = store->header().uuid;
  o.capacity_bytes = options.cache_size;
  o.log = [log](const std::string& line) { log->Log(LogLevel::kWarning, line, {}); };
  o.cipher = store->cipher();
  auto cache = LmdbBlockCache::Open(std::move(o));
  if (!cache.ok()) {
    log->Info(cache.status().message() + "; running without a cache");
    return nullptr;
  }
  log->Info("cache " + dir + ", " + std::to_string(options.cache_size) + " bytes");
  return std::move(cache).value();
}

// Idle session threads wait on /dev/fuse in a queue and the kernel hands each request to the one that has
// waited longest, so one process's serial requests (cp -a: three xattr calls and a read per file) rotate
// through every idle thread, each woken on whichever core. On 2 cores, 16 threads cost 30 us per round
// trip and 2 threads 15 us; 2 threads read a cold 1 GiB file as fast, and 8 concurrent readers were not
// slower. More threads than cores would only help requests waiting on the disk.
unsigned SessionThreads() { return std::max(2U, std::thread::hardware_concurrency()); }

}  // namespace

Status RunMount(const MountOptions& options) {
  // fuse_daemonize changes to "/": every path is made absolute first.
  const std::string store_path = RealPath(options.store);
  const std::string mountpoint = RealPath(options.mountpoint);
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
                          Store::Open(Env::Default(), store_path, options.password));
  STRATA_RETURN_IF_ERROR(CheckMountPoint(mountpoint));
  const std::string cache_dir = options.cache_dir.empty()
                                    ? DefaultCacheDir(store->header().UuidString())
                                    : std::filesystem::absolute(options.cache_dir).string();

  MountLog log;
  // Opened before fuse_daemonize changes to "/", so a relative path means what the user meant.
  STRATA_RETURN_IF_ERROR(log.Open(options.log_file));
  log.UseStderr(options.foreground);
  SnapshotFs fs(store.get(), [&log](const std::string& line) { log.Log(LogLevel::kError, line, {}); });
  Daemon daemon{store.get(), &fs, &log, {}};
  daemon.mountpoint = mountpoint;
  statvfs(store_path.c_str(), &daemon.store_fs);

  std::string fsname = "fsname=strata:" + store_path;
  for (char& c : fsname) {
    if (c == ',') c = '_';  // a comma would end the option
  }
  std::vector<std::string> argv_storage = {"strata", "-o", "ro,default_permissions,subtype=strata," + fsname};
  if (options.allow_other) argv_storage.insert(argv_storage.end(), {"-o", "allow_other"});
  std::vector<char*> argv;
  argv.reserve(argv_storage.size());
  for (std::string& a : argv_storage) argv.push_back(a.data());
  struct fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  fuse_lowlevel_ops ops = Ops();
  struct fuse_session* se = fuse_session_new(&args, &ops, sizeof ops, &daemon);
  if (se == nullptr) return Status::InvalidArgument("cannot create the FUSE session (bad mount options?)");
  Status result;
  if (fuse_set_signal_handlers(se) != 0) {
    result = Status::FromErrno("signal handlers", errno);
  } else if (fuse_session_mount(se, mountpoint.c_str()) != 0) {
    result = Status::FailedPrecondition("cannot mount " + mountpoint + " (is /dev/fuse available?)");
  } else {
    // Mounted before daemonizing, so the parent returns only once the mount is ready.
    if (fuse_daemonize(options.foreground ? 1 : 0) != 0) {
      result = Status::FromErrno("daemonize", errno);
    } else {
      log.Info("mounted " + store_path + " on " + mountpoint);
      // The check of an existing cache reads all of it: it runs beside the first requests, which go
      // straight to the store until the cache is attached, so mounting stays instant whatever its size.
      // The walk forks, so it starts before any thread does.
      std::unique_ptr<LmdbBlockCache> cache;
      std::thread opener;
      if (options.cache) {
        opener = std::thread([&, walk = LmdbWalk::Start(cache_dir, options.cache_size)]() mutable {
          cache = OpenCache(options, cache_dir, store.get(), &log, walk.Passed());
          store->SetBlockCache(cache.get());
          daemon.cache.store(cache.get());
        });
      }
      struct fuse_loop_config* cfg = fuse_loop_cfg_create();
      fuse_loop_cfg_set_clone_fd(cfg, 1);
      fuse_loop_cfg_set_max_threads(cfg, SessionThreads());
      int rc = fuse_session_loop_mt(se, cfg);
      fuse_loop_cfg_destroy(cfg);
      if (rc != 0 && rc != SIGTERM && rc != SIGINT && rc != SIGHUP) {
        result = Status::FromErrno("FUSE session", rc < 0 ? -rc : EIO);
      }
      if (opener.joinable()) opener.join();
      log.Info("unmounted " + mountpoint + " (" + std::to_string(fs.inode_count()) + " inodes in the table)");
      if (cache != nullptr) {
        cache->Flush();  // so that the counters logged count the last writes too
        log.Info("cache " + cache_dir + ": " + cache->Stats().ToString());
      }
      store->SetBlockCache(nullptr);
    }
    fuse_session_unmount(se);
  }
  fuse_remove_signal_handlers(se);
  fuse_session_destroy(se);
  return result;
}

Status Unmount(const std::string& mountpoint) {
  const std::string path = RealPath(mountpoint);
  if (!IsMountPoint(path)) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0 && errno != ENOTCONN) return Status::FromErrno(mountpoint, errno);
    if (errno != ENOTCONN) return Status::FailedPrecondition(mountpoint + " is not mounted");
  }
  pid_t pid = fork();
  if (pid < 0) return Status::FromErrno("fork", errno);
  if (pid == 0) {
    execlp("fusermount3", "fusermount3", "-u", path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  if (geteuid() == 0 && umount2(path.c_str(), 0) == 0) return Status::Ok();
  return Status::FailedPrecondition("cannot unmount " + mountpoint + " (busy?)");
}

}  // namespace strata
