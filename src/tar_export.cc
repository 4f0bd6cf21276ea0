#include "src/tar_export.h"

#include <sys/sysmacros.h>

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "src/deep_stack.h"
#include "src/pax_header.h"
#include "src/posix_acl_text.h"
#include "src/snapshot_path.h"
#include "src/tree_walk.h"
#include "src/version_stream.h"

namespace strata {
namespace {

char TypeFlag(EntryType type) {
  switch (type) {
    case EntryType::kRegular:
      return '0';
    case EntryType::kDirectory:
      return '5';
    case EntryType::kSymlink:
      return '2';
    case EntryType::kCharDevice:
      return '3';
    case EntryType::kBlockDevice:
      return '4';
    case EntryType::kFifo:
      return '6';
  }
  return '0';  // Tree::Decode admits no other type
}

// ACLs go in their own records, in text form; if one cannot be read as an ACL it stays an xattr.
void SetXattrs(const TreeEntry& e, TarMember* m) {
  for (const auto& [name, value] : e.xattrs) {
    std::string* acl = name == kAclAccessXattr    ? &m->acl_access
                       : name == kAclDefaultXattr ? &m->acl_default
                                                  : nullptr;
    std::optional<std::string> text = acl != nullptr ? PosixAclText(value) : std::nullopt;
    if (text) {
      *acl = std::move(*text);
    } else {
      m->xattrs.emplace_back(name, value);
    }
  }
}

class TarWriter {
 public:
  TarWriter(Store* store, const SnapshotInfo& snapshot, const std::function<Status(std::string_view)>& sink,
            const CancelToken* cancel)
      : store_(store), snapshot_(snapshot), sink_(sink), cancel_(cancel) {}

  const TarExportStats& stats() const { return stats_; }

  // `name` is the entry's path in the archive; `where` its path in the snapshot, for messages.
  Status Entry(const TreeEntry& e, const std::string& name, const std::string& where) {
    if (cancel_ != nullptr && cancel_->cancelled()) {
      return Status::Cancelled("export of snapshot " + snapshot_.name + " cancelled");
    }
    TarMember m;
    m.path = e.type == EntryType::kDirectory ? name + "/" : name;
    m.typeflag = TypeFlag(e.type);
    m.mode = e.mode;
    m.uid = e.uid;
    m.gid = e.gid;
    m.uname = e.user;
    m.gname = e.group;
    m.mtime_ns = e.mtime_ns;
    m.linkname = e.symlink_target;
    SetXattrs(e, &m);
    if (e.type == EntryType::kCharDevice || e.type == EntryType::kBlockDevice) {
      m.devmajor = major(e.rdev);
      m.devminor = minor(e.rdev);
    }
    if (e.type == EntryType::kRegular && e.nlink > 1) {
      // Later members of a hardlink group link to the first, as restore links them.
      auto [it, first] = links_.try_emplace({e.dev, e.ino}, name);
      if (!first) {
        m.typeflag = '1';
        m.linkname = it->second;
        stats_.links++;
        return sink_(TarMemberHeaders(m));
      }
    }
    if (e.type == EntryType::kRegular) {
      m.size = e.size;
      STRATA_RETURN_IF_ERROR(sink_(TarMemberHeaders(m)));
      STRATA_RETURN_IF_ERROR(StreamVersion(store_, e.ref, e.size, sink_, Shown(where)));
      stats_.files++;
      stats_.bytes += e.size;
      return sink_(TarPadding(e.size));
    }
    STRATA_RETURN_IF_ERROR(sink_(TarMemberHeaders(m)));
    if (e.type != EntryType::kDirectory) {
      stats_.other++;
      return Status::Ok();
    }
    stats_.dirs++;
    return Children(e, name, where);
  }

 private:
  std::string Shown(const std::string& where) const {
    return "snapshot " + snapshot_.name + ": " + ShownPath(where);
  }

  Status Children(const TreeEntry& dir, const std::string& name, const std::string& where) {
    Status entered = walk_.Enter(dir.ref);
    if (!entered.ok()) return entered.WithContext(Shown(where));
    auto tree = store_->GetTree(dir.ref);
    Status s = tree.ok() ? Status::Ok() : tree.status().WithContext(Shown(where));
    for (size_t i = 0; s.ok() && i < (*tree)->entries.size(); i++) {
      const TreeEntry& child = (*tree)->entries[i];
      s = Entry(child, name == "." ? child.name : name + "/" + child.name, ChildPath(where, child.name));
    }
    walk_.Leave();
    return s;
  }

  Store* store_;
  const SnapshotInfo& snapshot_;
  const std::function<Status(std::string_view)>& sink_;
  const CancelToken* cancel_;
  TarExportStats stats_;
  TreeWalk walk_;  // the directories being written, from the top down
  std::map<std::pair<uint64_t, uint64_t>, std::string> links_;  // (dev, ino) -> first member's name
};

}  // namespace

Result<TarExportStats> ExportTar(Store* store, const SnapshotInfo& snapshot, std::string_view path,
                                 const std::function<Status(std::string_view)>& sink,
                                 const CancelToken* cancel) {
  const std::string where = NormalizedPath(path);
  auto entry = store->Lookup(snapshot.manifest, where);
  if (!entry.ok()) {
    if (entry.status().IsNotFound()) return entry.status();
    return entry.status().WithContext("snapshot " + snapshot.name + ": " + ShownPath(where));
  }
  std::string name = ".";
  if (entry->type != EntryType::kDirectory) {
    const size_t slash = where.find_last_of('/');
    name = slash == std::string::npos ? where : where.substr(slash + 1);
  }
  TarWriter writer(store, snapshot, sink, cancel);
  Status s;
  RunOnDeepStack(kDeepWalkStack, [&] { s = writer.Entry(*entry, name, where); });
  STRATA_RETURN_IF_ERROR(s);
  STRATA_RETURN_IF_ERROR(sink(TarTrailer()));
  return writer.stats();
}

}  // namespace strata
