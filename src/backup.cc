#include "src/backup.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <thread>
#include <unordered_map>

#include "src/content_writer.h"
#include "src/exclude_matcher.h"
#include "src/fs_util.h"
#include "src/orphan_packs.h"
#include "store/host_name.h"
#include "store/lock.h"

namespace strata {
namespace {

constexpr unsigned kMaxDefaultThreads = 32;

constexpr std::string_view kCacheDirTag = "Signature: 8a477f597d28d172789f06886806bc55";
// The writer keeps within the decoders' limits (strata-store(5)) with room to spare: labels and owner
// names as the decoders allow, warnings fewer and shorter than a manifest could hold.
constexpr size_t kMaxLabel = 4096;
constexpr size_t kMaxOwnerName = 256;
constexpr size_t kMaxStoredWarnings = 1000;
constexpr size_t kMaxWarningLength = 4096;

// A regular file's content, filled by a worker (or at once for unchanged files). Shared by every name of
// a hardlink group.
struct Slot {
  ObjectId version;
  bool ok = false;
};

struct Node {
  TreeEntry entry;
  std::vector<std::unique_ptr<Node>> children;  // directories, sorted by name
  std::shared_ptr<Slot> slot;                   // regular files
};

struct Job {
  int fd;
  std::string path;
  std::optional<ObjectId> base;
  std::shared_ptr<Slot> slot;
  bool is_new;
  uint64_t size;  // as listed: what the file adds to the progress's bytes once stored
};

int64_t Nanos(const struct timespec& ts) { return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec; }

std::optional<EntryType> TypeOf(mode_t mode) {
  if (S_ISREG(mode)) return EntryType::kRegular;
  if (S_ISDIR(mode)) return EntryType::kDirectory;
  if (S_ISLNK(mode)) return EntryType::kSymlink;
  if (S_ISFIFO(mode)) return EntryType::kFifo;
  if (S_ISCHR(mode)) return EntryType::kCharDevice;
  if (S_ISBLK(mode)) return EntryType::kBlockDevice;
  return std::nullopt;  // sockets
}

class Backup {
 public:
  Backup(Store* store, const BackupOptions& options, std::string lock_id)
      : store_(store), options_(options), lock_id_(std::move(lock_id)), session_(store) {}

  Result<BackupResult> Run();

 private:
  Status Prepare();
  void FindParent();
  // `path` is the source path concerned, also named in `msg`.
  void Warn(const std::string& path, const std::string& msg);
  void Note(const std::string& msg);
  // True once the caller has cancelled; the first call to see it makes the backup's outcome Cancelled.
  bool Cancelled();
  // A regular file is stored, unchanged, or left out for an error.
  void FileDone(uint64_t size, const std::string& path);
  void Report(ProgressPhase phase);
  const std::string& UserName(uint32_t uid);
  const std::string& GroupName(uint32_t gid);

  // Fills `node` from the entry `name` in `dirfd`; false if the entry is left out of the snapshot.
  bool ProcessEntry(int dirfd, const std::string& name, const std::string& display, const std::string& rel,
                    const TreeEntry* parent, dev_t root_dev, Node* node);
  void WalkDir(int dirfd, const std::string& display, const std::string& rel, const TreeEntry* parent,
               dev_t root_dev, bool cache_dir, Node* node);
  void FillEntry(const struct stat& st, const std::string& name, TreeEntry* e);
  void Submit(Job job);
  void Worker(ContentWriter* writer);
  Result<ObjectId> BuildTree(Node* node, ContentWriter* writer);

  Store* store_;
  const BackupOptions& options_;
  std::string lock_id_;  // of the store lock held: temporary packs carry it
  SessionObjects session_;
  ExcludeMatcher excludes_;
  std::vector<std::string> sources_;  // absolute
  std::optional<Manifest> parent_;
  std::vector<IndexEntry> recovered_;
  std::unordered_map<uint32_t, std::string> users_;
  std::unordered_map<uint32_t, std::string> groups_;
  std::map<std::pair<dev_t, ino_t>, std::shared_ptr<Slot>> hardlinks_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;              // guarded by mu_
  bool closing_ = false;               // guarded by mu_
  Status fatal_;                       // guarded by mu_
  std::vector<std::string> warnings_;  // guarded by mu_
  SnapshotStats stats_;                // guarded by mu_ once workers run
  uint64_t files_done_ = 0;            // guarded by mu_
  uint64_t bytes_done_ = 0;            // guarded by mu_
  uint64_t delta_saved_ = 0;           // guarded by mu_
  uint64_t compression_saved_ = 0;     // guarded by mu_
  bool walked_ = false;                // guarded by mu_: the totals in stats_ are final
  std::string current_;                // guarded by mu_
  size_t max_queue_ = 8;
  // Serializes the caller's callbacks, which the walking thread and the workers make.
  std::mutex callback_mu_;
};

void Backup::Warn(const std::string& path, const std::string& msg) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    warnings_.push_back(msg);
    stats_.errors++;
  }
  if (!options_.on_warning) return;
  std::lock_guard<std::mutex> lock(callback_mu_);
  options_.on_warning(msg, path);
}

void Backup::Note(const std::string& msg) {
  if (!options_.on_note) return;
  std::lock_guard<std::mutex> lock(callback_mu_);
  options_.on_note(msg);
}

bool Backup::Cancelled() {
  if (options_.cancel == nullptr || !options_.cancel->cancelled()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  if (fatal_.ok()) fatal_ = Status::Cancelled("backup cancelled: no snapshot was made");
  cv_.notify_all();
  return true;
}

void Backup::FileDone(uint64_t size, const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    files_done_++;
    bytes_done_ += size;
    current_ = path;
  }
  Report(ProgressPhase::kScanning);
}

// kScanning stands for "the walk or the writers": it becomes kStoring once the walk is done.
void Backup::Report(ProgressPhase phase) {
  if (!options_.on_progress) return;
  Progress p;
  {
    std::lock_guard<std::mutex> lock(mu_);
    p.phase = phase == ProgressPhase::kScanning && walked_ ? ProgressPhase::kStoring : phase;
    p.files_done = files_done_;
    p.bytes_done = bytes_done_;
    p.delta_saved = delta_saved_;
    p.compression_saved = compression_saved_;
    if (walked_) {
      p.files_total = stats_.files;
      p.bytes_total = stats_.bytes;
    } else if (parent_) {
      p.files_total = parent_->stats.files;
      p.bytes_total = parent_->stats.bytes;
      p.totals_estimated = true;
    }
    p.current_path = current_;
  }
  std::lock_guard<std::mutex> lock(callback_mu_);
  options_.on_progress(p);
}

const std::string& Backup::UserName(uint32_t uid) {
  auto it = users_.find(uid);
  if (it != users_.end()) return it->second;
  struct passwd pw, *found = nullptr;
  char buf[4096];
  std::string name;
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr) name = found->pw_name;
  if (name.size() > kMaxOwnerName) name.clear();
  return users_.emplace(uid, name).first->second;
}

const std::string& Backup::GroupName(uint32_t gid) {
  auto it = groups_.find(gid);
  if (it != groups_.end()) return it->second;
  struct group gr, *found = nullptr;
  char buf[4096];
  std::string name;
  if (getgrgid_r(gid, &gr, buf, sizeof buf, &found) == 0 && found != nullptr) name = found->gr_name;
  if (name.size() > kMaxOwnerName) name.clear();
  return groups_.emplace(gid, name).first->second;
}

Status Backup::Prepare() {
  if (options_.sources.empty()) return Status::InvalidArgument("backup needs at least one source path");
  if (options_.label.size() > kMaxLabel) {
    return Status::InvalidArgument("label is longer than " + std::to_string(kMaxLabel) + " bytes");
  }
  std::map<std::string, std::string> basenames;
  for (const std::string& src : options_.sources) {
    char* real = realpath(src.c_str(), nullptr);
    if (real == nullptr) return Status::FromErrno("source " + src, errno);
    std::string abs = real;
    free(real);
    if (options_.sources.size() > 1) {
      std::string base = abs == "/" ? "" : abs.substr(abs.rfind('/') + 1);
      if (base.empty()) return Status::InvalidArgument("source / cannot be one of several sources");
      auto [it, inserted] = basenames.emplace(base, abs);
      if (!inserted) {
        return Status::InvalidArgument("sources " + it->second + " and " + abs + " have the same name '" +
                                       base + "'");
      }
    }
    sources_.push_back(abs);
  }
  for (const std::string& pattern : options_.excludes) STRATA_RETURN_IF_ERROR(excludes_.Add(pattern));
  for (const std::string& file : options_.exclude_files) STRATA_RETURN_IF_ERROR(excludes_.AddFromFile(file));
  return Status::Ok();
}

void Backup::FindParent() {
  auto snapshots = store_->ListSnapshots();
  if (!snapshots.ok()) return;
  for (auto it = snapshots->rbegin(); it != snapshots->rend(); ++it) {
    const Manifest& m = it->manifest;
    if (m.host == options_.host && m.paths == sources_) {
      parent_ = m;
      return;
    }
  }
}

void Backup::FillEntry(const struct stat& st, const std::string& name, TreeEntry* e) {
  e->name = name;
  e->type = *TypeOf(st.st_mode);
  e->mode = st.st_mode & 07777;
  e->uid = st.st_uid;
  e->gid = st.st_gid;
  e->user = UserName(st.st_uid);
  e->group = GroupName(st.st_gid);
  e->mtime_ns = Nanos(st.st_mtim);
  e->ctime_ns = Nanos(st.st_ctim);
  e->size = (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) ? static_cast<uint64_t>(st.st_size) : 0;
  e->nlink = st.st_nlink;
  e->dev = st.st_dev;
  e->ino = st.st_ino;
  e->blocks = static_cast<uint64_t>(st.st_blocks);
  e->rdev = (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) ? st.st_rdev : 0;
}

void Backup::Submit(Job job) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return queue_.size() < max_queue_ || !fatal_.ok(); });
  if (!fatal_.ok()) {
    close(job.fd);
    return;
  }
  queue_.push_back(std::move(job));
  cv_.notify_all();
}

void Backup::Worker(ContentWriter* writer) {
  while (true) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
      cv_.notify_all();
    }
    if (Cancelled()) {
      close(job.fd);
      continue;
    }
    auto result = writer->Write(job.fd, job.path, job.base);
    close(job.fd);
    if (!result.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      if (fatal_.ok()) fatal_ = result.status();
      cv_.notify_all();
      continue;
    }
    if (!result->unreadable.empty()) {
      Warn(job.path, "cannot read " + result->unreadable);
      FileDone(job.size, job.path);
      continue;
    }
    if (!result->warning.empty()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        warnings_.push_back(result->warning);
      }
      if (options_.on_warning) {
        std::lock_guard<std::mutex> lock(callback_mu_);
        options_.on_warning(result->warning, job.path);
      }
    }
    job.slot->version = result->version;
    job.slot->ok = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.bytes_read += result->bytes_read;
      delta_saved_ += result->delta_saved;
      compression_saved_ += result->compression_saved;
      (job.is_new ? stats_.files_new : stats_.files_changed)++;
    }
    FileDone(job.size, job.path);
  }
}

bool Backup::ProcessEntry(int dirfd, const std::string& name, const std::string& display,
                          const std::string& rel, const TreeEntry* parent, dev_t root_dev, Node* node) {
  struct stat st;
  if (fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    Warn(display, "cannot stat " + Status::FromErrno(display, errno).message());
    return false;
  }
  auto type = TypeOf(st.st_mode);
  if (!type) {
    Note(display + ": socket skipped");
    return false;
  }
  if (!rel.empty() && !excludes_.empty() && excludes_.Excluded(rel, *type == EntryType::kDirectory))
    return false;
  TreeEntry& e = node->entry;
  FillEntry(st, name, &e);
  if (parent != nullptr && parent->type != *type) parent = nullptr;
  // ctime changes with every change of content, metadata, xattrs or link count, so an entry whose ctime,
  // inode and device match the parent's can take its xattrs and symlink target from there unread.
  const bool same_inode =
      parent != nullptr && parent->ctime_ns == e.ctime_ns && parent->ino == e.ino && parent->dev == e.dev;
  if (same_inode) {
    e.xattrs = parent->xattrs;
    e.symlink_target = parent->symlink_target;
  } else {
    Status s = ReadXattrs(dirfd, name, &e.xattrs);
    if (!s.ok()) Warn(display, "cannot read extended attributes of " + display + ": " + s.message());
    if (*type == EntryType::kSymlink) {
      auto target = ReadLinkAt(dirfd, name, static_cast<size_t>(st.st_size));
      if (!target.ok()) {
        Warn(display, "cannot read symlink " + display + ": " + target.status().message());
        return false;
      }
      e.symlink_target = *target;
    }
  }

  switch (*type) {
    case EntryType::kRegular: {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.files++;
      stats_.bytes += e.size;
    } break;
    case EntryType::kDirectory: {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.dirs++;
    } break;
    default: {
      std::lock_guard<std::mutex> lock(mu_);
      stats_.other++;
    }
  }

  if (*type == EntryType::kRegular) {
    const bool unchanged = same_inode && parent->size == e.size && parent->mtime_ns == e.mtime_ns;
    if (st.st_nlink > 1) {
      auto it = hardlinks_.find({st.st_dev, st.st_ino});
      if (it != hardlinks_.end()) {
        // Another name of content this backup already has: nothing to read.
        node->slot = it->second;
        {
          std::lock_guard<std::mutex> lock(mu_);
          (parent == nullptr ? stats_.files_new
           : unchanged       ? stats_.files_unchanged
                             : stats_.files_changed)++;
        }
        FileDone(e.size, display);
        return true;
      }
    }
    node->slot = std::make_shared<Slot>();
    if (st.st_nlink > 1) hardlinks_[{st.st_dev, st.st_ino}] = node->slot;
    if (unchanged) {
      node->slot->version = parent->ref;
      node->slot->ok = true;
      {
        std::lock_guard<std::mutex> lock(mu_);
        stats_.files_unchanged++;
      }
      FileDone(e.size, display);
      return true;
    }
    int fd = OpenForBackup(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
      Warn(display, "cannot read " + Status::FromErrno(display, errno).message());
      FileDone(e.size, display);
      return false;
    }
    std::optional<ObjectId> base;
    if (parent != nullptr) base = parent->ref;
    Submit(Job{fd, display, base, node->slot, parent == nullptr, e.size});
    return true;
  }

  if (*type == EntryType::kDirectory) {
    if (options_.one_file_system && st.st_dev != root_dev) {
      Note(display + ": on another file system, contents skipped");
      return true;
    }
    int fd = OpenForBackup(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0) {
      Warn(display, "cannot read directory " + Status::FromErrno(display, errno).message());
      return true;
    }
    bool cache_dir = options_.exclude_caches && IsCacheDir(fd, kCacheDirTag);
    WalkDir(fd, display, rel, parent, root_dev, cache_dir, node);
    close(fd);
  }
  return true;
}

void Backup::WalkDir(int dirfd, const std::string& display, const std::string& rel, const TreeEntry* parent,
                     dev_t root_dev, bool cache_dir, Node* node) {
  std::optional<Tree> parent_tree;
  if (parent != nullptr && parent->type == EntryType::kDirectory) {
    auto t = store_->LoadTree(parent->ref);
    if (t.ok()) parent_tree = std::move(t).value();
  }
  auto names = ListDirFd(dirfd);
  if (!names.ok()) {
    Warn(display, "cannot read directory " + display + ": " + names.status().message());
    return;
  }
  std::sort(names->begin(), names->end());
  for (const std::string& name : *names) {
    if (Cancelled()) return;
    if (cache_dir && name != "CACHEDIR.TAG") continue;
    auto child = std::make_unique<Node>();
    const TreeEntry* child_parent = parent_tree ? parent_tree->Find(name) : nullptr;
    std::string child_display = display == "/" ? "/" + name : display + "/" + name;
    std::string child_rel = rel.empty() ? name : rel + "/" + name;
    if (ProcessEntry(dirfd, name, child_display, child_rel, child_parent, root_dev, child.get())) {
      node->children.push_back(std::move(child));
    }
  }
}

Result<ObjectId> Backup::BuildTree(Node* node, ContentWriter* writer) {
  Tree tree;
  tree.entries.reserve(node->children.size());
  for (auto& child : node->children) {
    TreeEntry& e = child->entry;
    if (e.type == EntryType::kRegular) {
      if (!child->slot || !child->slot->ok) continue;  // unreadable: already a warning
      e.ref = child->slot->version;
    } else if (e.type == EntryType::kDirectory) {
      STRATA_ASSIGN_OR_RETURN(e.ref, BuildTree(child.get(), writer));
    }
    tree.entries.push_back(e);
  }
  node->children.clear();
  return writer->WriteMetadata(format::ObjectType::kTree, tree.Encode());
}

Result<BackupResult> Backup::Run() {
  auto start = std::chrono::system_clock::now();
  STRATA_RETURN_IF_ERROR(Prepare());
  STRATA_ASSIGN_OR_RETURN(recovered_, RecoverOrphanPacks(store_));
  FindParent();

  // Four writers per core: with a cold page cache most of a small file's time is the disk's, and more reads
  // in flight hide it (100k small files, 2 cores: 12.0 s with 2 writers, 8.5 s with 4, 7.6 s with 8).
  unsigned threads = options_.threads != 0
                         ? options_.threads
                         : std::clamp(4 * std::thread::hardware_concurrency(), 4u, kMaxDefaultThreads);
  max_queue_ = 4 * threads;
  ContentOptions content_options;
  content_options.max_chain = options_.max_chain;
  content_options.lock_id = lock_id_;
  std::vector<std::unique_ptr<ContentWriter>> writers;
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; i++) {
    writers.push_back(std::make_unique<ContentWriter>(store_, &session_, content_options));
    pool.emplace_back([this, w = writers.back().get()] { Worker(w); });
  }

  Node root;
  root.entry.name = "";
  root.entry.type = EntryType::kDirectory;
  const bool multi = sources_.size() > 1;
  if (!multi) {
    struct stat st;
    const std::string& src = sources_[0];
    int fd = open(src.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    Status s;
    if (fd < 0 || fstat(fd, &st) != 0) s = Status::FromErrno("source " + src, errno);
    if (s.ok()) {
      FillEntry(st, "", &root.entry);
      s = ReadXattrs(fd, "", &root.entry.xattrs);
      if (!s.ok()) Warn(src, "cannot read extended attributes of " + src + ": " + s.message());
      const TreeEntry* parent_root = parent_ ? &parent_->root : nullptr;
      WalkDir(fd, src, "", parent_root, st.st_dev, false, &root);
      stats_.dirs++;
    }
    if (fd >= 0) close(fd);
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      fatal_ = s;
    }
  } else {
    root.entry.mode = 0755;
    root.entry.uid = getuid();
    root.entry.gid = getgid();
    root.entry.mtime_ns = root.entry.ctime_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count();
    std::optional<Tree> parent_tree;
    if (parent_) {
      auto t = store_->LoadTree(parent_->root.ref);
      if (t.ok()) parent_tree = std::move(t).value();
    }
    for (const std::string& src : sources_) {
      if (Cancelled()) break;
      std::string dir = src.substr(0, src.rfind('/'));
      std::string base = src.substr(src.rfind('/') + 1);
      if (dir.empty()) dir = "/";
      int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      struct stat st;
      if (fd < 0 || fstat(fd, &st) != 0) {
        std::lock_guard<std::mutex> lock(mu_);
        fatal_ = Status::FromErrno("source " + src, errno);
        if (fd >= 0) close(fd);
        break;
      }
      auto child = std::make_unique<Node>();
      const TreeEntry* child_parent = parent_tree ? parent_tree->Find(base) : nullptr;
      struct stat src_st;
      dev_t root_dev = lstat(src.c_str(), &src_st) == 0 ? src_st.st_dev : st.st_dev;
      if (ProcessEntry(fd, base, src, base, child_parent, root_dev, child.get())) {
        root.children.push_back(std::move(child));
      }
      close(fd);
    }
    stats_.dirs++;
  }

  {
    std::lock_guard<std::mutex> lock(mu_);
    walked_ = true;
    closing_ = true;
    cv_.notify_all();
  }
  Report(ProgressPhase::kStoring);
  for (auto& t : pool) t.join();
  if (!fatal_.ok()) return fatal_;

  Report(ProgressPhase::kCommitting);
  ContentWriter& meta = *writers[0];
  STRATA_ASSIGN_OR_RETURN(root.entry.ref, BuildTree(&root, &meta));
  std::vector<IndexEntry> entries = std::move(recovered_);
  uint64_t added = 0;
  for (auto& w : writers) {
    STRATA_ASSIGN_OR_RETURN(std::vector<IndexEntry> sealed, w->Flush());
    entries.insert(entries.end(), sealed.begin(), sealed.end());
    added += w->bytes_written();
  }
  if (!entries.empty()) added += format::kIndexHeaderSize + entries.size() * format::kIndexEntrySize + 32;
  // The last point of return: the objects written so far are reused by the next backup.
  if (Cancelled()) return fatal_;
  STRATA_RETURN_IF_ERROR(store_->CommitObjects(std::move(entries)));

  Manifest m;
  m.time_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(start.time_since_epoch()).count();
  m.host = options_.host;
  m.paths = sources_;
  m.label = options_.label;
  if (parent_) m.parent = parent_->id;
  m.multi_source = multi;
  m.root = root.entry;
  m.stats = stats_;
  m.stats.bytes_added = added;
  // Every warning went to the caller as it happened; the manifest keeps a bounded record of them.
  for (const std::string& w : warnings_) {
    if (m.warnings.size() == kMaxStoredWarnings) {
      m.warnings.push_back("... and " + std::to_string(warnings_.size() - kMaxStoredWarnings) + " more");
      break;
    }
    m.warnings.push_back(w.substr(0, kMaxWarningLength));
  }
  STRATA_RETURN_IF_ERROR(store_->CommitManifest(&m));
  BackupResult result;
  result.manifest = m;
  result.delta_saved = delta_saved_;
  result.compression_saved = compression_saved_;
  auto found = store_->FindSnapshot(m.id.Hex());
  result.name = found.ok() ? found->name : SnapshotTimeName(m.time_ns);
  Report(ProgressPhase::kDone);
  return result;
}

}  // namespace

Result<BackupResult> RunBackup(Store* store, const BackupOptions& options) {
  BackupOptions resolved = options;
  if (resolved.host.empty()) resolved.host = HostName();
  // Held until the manifest is committed, and released on every error path by its destructor.
  STRATA_ASSIGN_OR_RETURN(auto lock, StoreLock::Acquire(store->env(), store->path(), LockKind::kShared,
                                                        "backup", options.on_note));
  Backup backup(store, resolved, lock->id());
  auto result = backup.Run();
  // The objects of a backup that stopped are in no index file, some in packs deleted unsealed: a later
  // backup of this process must not find them.
  if (!result.ok()) (void)store->index().DropUncommitted();
  return result;
}

}  // namespace strata
