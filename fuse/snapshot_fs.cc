#include "fuse/snapshot_fs.h"

#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "store/hash.h"

namespace strata {
namespace {

// The snapshot list is re-read at most this often, so a new backup shows up within a few seconds.
constexpr auto kSnapshotRefresh = std::chrono::seconds(2);

uint64_t InoOf(const ObjectId& h) {
  uint64_t ino;
  std::memcpy(&ino, h.bytes.data(), sizeof ino);
  ino &= ~(uint64_t{1} << 63);  // keeps numbers positive for tools that print them signed
  return ino < 2 ? ino + 2 : ino;
}

mode_t TypeBits(EntryType t) {
  switch (t) {
    case EntryType::kRegular:
      return S_IFREG;
    case EntryType::kDirectory:
      return S_IFDIR;
    case EntryType::kSymlink:
      return S_IFLNK;
    case EntryType::kFifo:
      return S_IFIFO;
    case EntryType::kCharDevice:
      return S_IFCHR;
    case EntryType::kBlockDevice:
      return S_IFBLK;
  }
  return S_IFREG;
}

std::string Identity(const std::string& view_key, const std::string& path, const TreeEntry& e) {
  if (e.type == EntryType::kDirectory) return "D" + view_key + '\0' + path;
  // Fifos and devices have no content to share, and GNU diff reports two of them as differing only when
  // they are distinct files, as they are between two restored trees: each view gets its own.
  if (e.type == EntryType::kFifo || e.type == EntryType::kCharDevice || e.type == EntryType::kBlockDevice) {
    return "S" + view_key + '\0' + path;
  }
  TreeEntry anonymous = e;
  anonymous.name.clear();
  std::string id = e.type == EntryType::kRegular && e.nlink > 1 ? "H" : "F" + path + '\0';
  EncodeTreeEntry(anonymous, &id);
  return id;
}

}  // namespace

SnapshotFs::SnapshotFs(Store* store, std::function<void(const std::string&)> log)
    : store_(store), snapshot_list_(store), log_(std::move(log)) {
  root_ = std::make_shared<Node>();
  root_->attr.type = EntryType::kDirectory;
  root_->attr.mode = 0755;
  root_->attr.nlink = 2;
  root_->identity = HashBytes("root");
  nodes_[kRootIno] = root_;
}

void SnapshotFs::Node::Set(const TreeEntry& e) {
  attr.ref = e.ref;
  attr.size = e.size;
  attr.blocks = e.blocks;
  attr.rdev = e.rdev;
  attr.nlink = e.nlink;
  attr.mtime_ns = e.mtime_ns;
  attr.ctime_ns = e.ctime_ns;
  attr.mode = e.mode;
  attr.uid = e.uid;
  attr.gid = e.gid;
  attr.type = e.type;
  extras = e.symlink_target.empty() && e.xattrs.empty()
               ? nullptr
               : std::make_unique<const Extras>(Extras{e.symlink_target, e.xattrs});
  read_end = e.type == EntryType::kRegular ? std::make_unique<std::atomic<uint64_t>>(0) : nullptr;
}

size_t SnapshotFs::inode_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return nodes_.size();
}

std::shared_ptr<const SnapshotFs::Snapshots> SnapshotFs::CurrentSnapshots() {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (snapshots_ && now - snapshots_loaded_ < kSnapshotRefresh) return snapshots_;
  }
  // Manifests are read again only when the snapshot directory's names changed (SnapshotCache).
  auto list = snapshot_list_.List();
  if (!list.ok()) log_("cannot list snapshots: " + list.status().message());
  std::lock_guard<std::mutex> lock(mu_);
  snapshots_loaded_ = now;
  if (!list.ok()) {
    if (!snapshots_) snapshots_ = std::make_shared<Snapshots>();
    return snapshots_;
  }
  if (snapshots_ && SameSnapshots(*snapshots_, *list)) return snapshots_;
  auto fresh = std::make_shared<Snapshots>();
  for (const SnapshotInfo& s : *list) {
    fresh->by_name.emplace_back(s.name,
                                std::make_shared<const View>(View{"s:" + s.manifest.id.Hex(), s.manifest}));
  }
  if (!list->empty()) {
    const Manifest& newest = list->back().manifest;
    fresh->by_name.emplace_back("latest", std::make_shared<const View>(View{"l:" + newest.id.Hex(), newest}));
    root_->attr.mtime_ns = root_->attr.ctime_ns = newest.time_ns;
  }
  // New snapshots bring new index files: their objects must be findable before anyone browses them.
  (void)store_->RefreshIndex();
  snapshots_ = fresh;
  return snapshots_;
}

bool SnapshotFs::SameSnapshots(const Snapshots& shown, const std::vector<SnapshotInfo>& list) {
  if (shown.by_name.size() != list.size() + (list.empty() ? 0 : 1)) return false;
  for (size_t i = 0; i < list.size(); i++) {
    if (shown.by_name[i].first != list[i].name || shown.by_name[i].second->manifest.id != list[i].manifest.id)
      return false;
  }
  return true;
}

Result<std::shared_ptr<const SnapshotFs::Node>> SnapshotFs::Get(uint64_t ino) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(ino);
  if (it == nodes_.end()) return Status::FromErrno("inode " + std::to_string(ino), ESTALE);
  return std::shared_ptr<const Node>(it->second);
}

uint64_t SnapshotFs::Intern(Node node) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t ino = InoOf(node.identity);
  while (true) {
    auto it = nodes_.find(ino);
    if (it == nodes_.end()) {
      node.nlookup = 1;
      nodes_.emplace(ino, std::make_shared<Node>(std::move(node)));
      return ino;
    }
    if (it->second->identity == node.identity) {
      it->second->nlookup++;
      return ino;
    }
    ino = ino + 1 < 2 ? 2 : ino + 1;  // a collision: probe the next number
  }
}

void SnapshotFs::Forget(uint64_t ino, uint64_t nlookup) {
  if (ino == kRootIno) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = nodes_.find(ino);
  if (it == nodes_.end()) return;
  if (it->second->nlookup <= nlookup) {
    nodes_.erase(it);
  } else {
    it->second->nlookup -= nlookup;
  }
}

std::string SnapshotFs::Where(const Node& node) const {
  if (!node.view) return "/";
  std::string name =
      node.view->key.substr(0, 2) == "l:" ? "latest" : SnapshotTimeName(node.view->manifest.time_ns);
  return name + (node.path.empty() ? "" : "/" + node.path);
}

struct stat SnapshotFs::StatOf(uint64_t ino, const Node& node) const {
  const Attributes& e = node.attr;
  struct stat st;
  std::memset(&st, 0, sizeof st);
  st.st_ino = ino;
  st.st_mode = TypeBits(e.type) | e.mode;
  st.st_nlink = e.nlink == 0 ? 1 : e.nlink;
  st.st_uid = e.uid;
  st.st_gid = e.gid;
  st.st_size = static_cast<off_t>(e.size);
  st.st_blksize = 4096;
  st.st_blocks = static_cast<blkcnt_t>(e.blocks);
  st.st_rdev = e.rdev;
  st.st_mtim = TimespecFromNanos(e.mtime_ns);
  st.st_atim = st.st_mtim;
  st.st_ctim = TimespecFromNanos(e.ctime_ns);
  return st;
}

Result<FsEntry> SnapshotFs::Lookup(uint64_t parent, std::string_view name) {
  // As a local file system answers (ext4, xfs): no stored name can be that long.
  if (name.size() > 255) return Status::FromErrno(std::string(name.substr(0, 64)) + "...", ENAMETOOLONG);
  STRATA_ASSIGN_OR_RETURN(auto dir, Get(parent));
  Node child;
  if (parent == kRootIno) {
    auto snaps = CurrentSnapshots();
    for (const auto& [n, view] : snaps->by_name) {
      if (n == name) {
        child.view = view;
        child.Set(view->manifest.root);
        child.identity = HashBytes("R" + view->key);
        break;
      }
    }
    if (!child.view) return Status::NotFound(std::string(name));
  } else {
    if (dir->attr.type != EntryType::kDirectory) return Status::FromErrno(std::string(name), ENOTDIR);
    auto tree = store_->GetTree(dir->attr.ref);
    if (!tree.ok()) {
      log_(Where(*dir) + ": " + tree.status().message());
      return Status::Corruption(tree.status().message());
    }
    const TreeEntry* e = (*tree)->Find(name);
    if (e == nullptr) return Status::NotFound(std::string(name));
    child.view = dir->view;
    child.path = dir->path.empty() ? std::string(name) : dir->path + "/" + std::string(name);
    // A tree that contains itself, or nesting without end, can only come from a crafted store: every level
    // would be a new directory (and inode) of a longer path.
    if (e->type == EntryType::kDirectory &&
        static_cast<size_t>(std::count(child.path.begin(), child.path.end(), '/')) >= format::kMaxTreeDepth) {
      log_(Where(*dir) + ": directory " + std::string(name) + " (tree " + e->ref.Hex() +
           ") is nested more than " + std::to_string(format::kMaxTreeDepth) + " deep");
      return Status::Corruption("directories nested too deep");
    }
    child.Set(*e);
    child.identity = HashBytes(Identity(dir->view->key, child.path, *e));
  }
  FsEntry out;
  out.name = name;
  out.st = StatOf(0, child);
  out.ino = Intern(std::move(child));
  out.st.st_ino = out.ino;
  return out;
}

Result<struct stat> SnapshotFs::GetAttr(uint64_t ino) {
  if (ino == kRootIno) CurrentSnapshots();
  STRATA_ASSIGN_OR_RETURN(auto node, Get(ino));
  struct stat st = StatOf(ino, *node);
  if (ino == kRootIno) {
    std::lock_guard<std::mutex> lock(mu_);
    st.st_nlink = 2 + (snapshots_ ? snapshots_->by_name.size() : 0);
  }
  return st;
}

Status SnapshotFs::ReadDir(uint64_t ino, uint64_t offset, bool plus,
                           const std::function<bool(const FsEntry&, uint64_t next)>& fits) {
  STRATA_ASSIGN_OR_RETURN(auto dir, Get(ino));
  if (dir->attr.type != EntryType::kDirectory) return Status::FromErrno("readdir", ENOTDIR);
  std::shared_ptr<const Snapshots> snaps;
  std::shared_ptr<const Tree> tree;
  size_t count;
  if (ino == kRootIno) {
    snaps = CurrentSnapshots();
    count = snaps->by_name.size();
  } else {
    auto t = store_->GetTree(dir->attr.ref);
    if (!t.ok()) {
      log_(Where(*dir) + ": " + t.status().message());
      return Status::Corruption(t.status().message());
    }
    tree = std::move(t).value();
    count = tree->entries.size();
  }
  for (uint64_t i = offset; i < count + 2; i++) {
    FsEntry e;
    if (i < 2) {
      e.name = i == 0 ? "." : "..";
      e.ino = ino;
      std::memset(&e.st, 0, sizeof e.st);
      e.st.st_ino = ino;
      e.st.st_mode = S_IFDIR;
      if (!fits(e, i + 1)) break;
      continue;
    }
    const std::string& name = snaps ? snaps->by_name[i - 2].first : tree->entries[i - 2].name;
    if (!plus) {
      // Plain readdir only needs the type and a number; no reference is taken.
      const TreeEntry& te = snaps ? snaps->by_name[i - 2].second->manifest.root : tree->entries[i - 2];
      e.name = name;
      std::memset(&e.st, 0, sizeof e.st);
      e.st.st_mode = TypeBits(te.type);
      e.st.st_ino = InoOf(
          HashBytes(snaps ? "R" + snaps->by_name[i - 2].second->key
                          : Identity(dir->view->key, dir->path.empty() ? name : dir->path + "/" + name, te)));
      if (!fits(e, i + 1)) break;
      continue;
    }
    auto looked = Lookup(ino, name);
    if (!looked.ok()) return looked.status();
    if (!fits(*looked, i + 1)) {
      Forget(looked->ino, 1);
      break;
    }
  }
  return Status::Ok();
}

Result<ObjectId> SnapshotFs::Open(uint64_t ino) {
  STRATA_ASSIGN_OR_RETURN(auto node, Get(ino));
  if (node->attr.type == EntryType::kDirectory) return Status::FromErrno("open", EISDIR);
  if (node->attr.type != EntryType::kRegular) return Status::FromErrno("open", EACCES);
  return node->attr.ref;
}

Status SnapshotFs::Read(uint64_t ino, uint64_t offset, size_t size, std::string* out) {
  STRATA_ASSIGN_OR_RETURN(auto node, Get(ino));
  if (node->attr.type != EntryType::kRegular) return Status::FromErrno("read", EINVAL);
  // The size the kernel was given came from the tree entry, the bytes come from the version record: a
  // crafted store can make them disagree, and the file would read short or cut off without an error.
  // Checked at every read, since opens need not reach the daemon.
  // A read that starts where the file's last one ended, or at its start, is a sequential reader's (or the
  // kernel's readahead for one): the store keeps none of its frames in the block cache. The opens that
  // would delimit readers need not reach the daemon, so the file, not the open, remembers.
  const uint64_t last_end = node->read_end->exchange(offset + size);
  const auto access = offset == 0 || offset == last_end ? Store::Access::kSequential : Store::Access::kRandom;
  Status s = store_->ReadVersion(node->attr.ref, offset, size, out, node->attr.size, access);
  if (!s.ok()) {
    log_("read error in " + Where(*node) + ": " + s.message());
    return Status::Corruption(s.message());
  }
  return s;
}

Result<uint64_t> SnapshotFs::Seek(const ObjectId& version, uint64_t offset, bool data) {
  return store_->SeekVersion(version, offset, data);
}

Result<std::string> SnapshotFs::ReadLink(uint64_t ino) {
  STRATA_ASSIGN_OR_RETURN(auto node, Get(ino));
  if (node->attr.type != EntryType::kSymlink) return Status::FromErrno("readlink", EINVAL);
  return node->extras ? node->extras->symlink_target : std::string();
}

Result<std::string> SnapshotFs::GetXattr(uint64_t ino, std::string_view name) {
  STRATA_ASSIGN_OR_RETURN(auto node, Get(ino));
  if (node->extras) {
    for (const auto& [n, v] : node->extras->xattrs) {
      if (n == name) return v;
    }
  }
  return Status::FromErrno(std::string(name), ENODATA);
}

Result<std::vector<std::string>> SnapshotFs::ListXattr(uint64_t ino) {
  STRATA_ASSIGN_OR_RETURN(auto node, Get(ino));
  std::vector<std::string> names;
  if (node->extras) {
    for (const auto& [n, v] : node->extras->xattrs) names.push_back(n);
  }
  return names;
}

}  // namespace strata
