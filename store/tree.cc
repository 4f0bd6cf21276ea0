#include "store/tree.h"

#include <algorithm>

#include "store/coding.h"
#include "store/format.h"

namespace strata {

bool IsValidEntryName(std::string_view name) {
  return !name.empty() && name.size() <= format::kMaxNameLength && name != "." && name != ".." &&
         name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

void EncodeTreeEntry(const TreeEntry& e, std::string* out) {
  PutLengthPrefixed(out, e.name);
  PutFixed8(out, static_cast<uint8_t>(e.type));
  PutVarint64(out, e.mode);
  PutVarint64(out, e.uid);
  PutVarint64(out, e.gid);
  PutLengthPrefixed(out, e.user);
  PutLengthPrefixed(out, e.group);
  PutVarsint64(out, e.mtime_ns);
  PutVarsint64(out, e.ctime_ns);
  PutVarint64(out, e.size);
  PutVarint64(out, e.nlink);
  PutVarint64(out, e.dev);
  PutVarint64(out, e.ino);
  PutVarint64(out, e.blocks);
  PutVarint64(out, e.rdev);
  PutLengthPrefixed(out, e.symlink_target);
  PutVarint64(out, e.xattrs.size());
  for (const auto& [name, value] : e.xattrs) {
    PutLengthPrefixed(out, name);
    PutLengthPrefixed(out, value);
  }
  if (e.type == EntryType::kRegular || e.type == EntryType::kDirectory) out->append(e.ref.View());
}

bool DecodeTreeEntry(Decoder* d, TreeEntry* e, bool allow_empty_name) {
  std::string_view name, user, group, target;
  uint8_t type;
  uint64_t mode, uid, gid, nxattrs;
  if (!d->GetLengthPrefixed(&name, format::kMaxNameLength) || !d->GetFixed8(&type)) return false;
  if (type < 1 || type > 6) return false;
  if (!(allow_empty_name && name.empty()) && !IsValidEntryName(name)) return false;
  e->name = name;
  e->type = static_cast<EntryType>(type);
  if (!d->GetVarint64(&mode) || !d->GetVarint64(&uid) || !d->GetVarint64(&gid)) return false;
  if (mode > 07777 || uid > UINT32_MAX || gid > UINT32_MAX) return false;
  e->mode = static_cast<uint32_t>(mode);
  e->uid = static_cast<uint32_t>(uid);
  e->gid = static_cast<uint32_t>(gid);
  if (!d->GetLengthPrefixed(&user, 256) || !d->GetLengthPrefixed(&group, 256)) return false;
  e->user = user;
  e->group = group;
  if (!d->GetVarsint64(&e->mtime_ns) || !d->GetVarsint64(&e->ctime_ns) || !d->GetVarint64(&e->size) ||
      !d->GetVarint64(&e->nlink) || !d->GetVarint64(&e->dev) || !d->GetVarint64(&e->ino) ||
      !d->GetVarint64(&e->blocks) || !d->GetVarint64(&e->rdev)) {
    return false;
  }
  if (!d->GetLengthPrefixed(&target, format::kMaxNameLength)) return false;
  if (e->type != EntryType::kSymlink && !target.empty()) return false;
  if (e->type == EntryType::kSymlink && (target.empty() || target.find('\0') != std::string_view::npos)) {
    return false;
  }
  e->symlink_target = target;
  // Each xattr costs at least two bytes, which bounds the count before anything is allocated.
  if (!d->GetVarint64(&nxattrs) || nxattrs > d->remaining() / 2) return false;
  e->xattrs.clear();
  e->xattrs.reserve(nxattrs);
  for (uint64_t i = 0; i < nxattrs; i++) {
    std::string_view xname, xvalue;
    if (!d->GetLengthPrefixed(&xname, 255) || !d->GetLengthPrefixed(&xvalue, 1 << 16)) return false;
    if (xname.empty() || xname.find('\0') != std::string_view::npos) return false;
    if (!e->xattrs.empty() && e->xattrs.back().first >= xname) return false;
    e->xattrs.emplace_back(xname, xvalue);
  }
  e->ref = ObjectId();
  if (e->type == EntryType::kRegular || e->type == EntryType::kDirectory) {
    std::string_view ref;
    if (!d->GetBytes(ObjectId::kSize, &ref)) return false;
    e->ref = ObjectId::FromBytes(ref);
  }
  return true;
}

struct timespec TimespecFromNanos(int64_t ns) {
  struct timespec ts;
  ts.tv_sec = ns / 1000000000;
  ts.tv_nsec = ns % 1000000000;
  if (ts.tv_nsec < 0) {
    ts.tv_nsec += 1000000000;
    ts.tv_sec--;
  }
  return ts;
}

std::string Tree::Encode() const {
  std::string out;
  PutFixed8(&out, format::kTreeVersion);
  PutVarint64(&out, entries.size());
  for (const TreeEntry& e : entries) EncodeTreeEntry(e, &out);
  return out;
}

Result<Tree> Tree::Decode(std::string_view bytes, const std::string& what) {
  Decoder d(bytes);
  uint8_t version;
  uint64_t count;
  if (!d.GetFixed8(&version)) return Status::Corruption(what + ": empty tree object");
  if (version != format::kTreeVersion) {
    return Status::NotSupported(what + ": tree object version " + std::to_string(version) +
                                " is not supported");
  }
  // An entry takes at least 16 bytes, which bounds the count before anything is allocated.
  if (!d.GetVarint64(&count) || count > d.remaining() / 16)
    return Status::Corruption(what + ": bad entry count");
  Tree tree;
  // Grown as entries decode, never sized from the declared count: a crafted count cannot make a small
  // object allocate many times its size.
  for (uint64_t i = 0; i < count; i++) {
    if (!DecodeTreeEntry(&d, &tree.entries.emplace_back(), false)) {
      return Status::Corruption(what + ": entry " + std::to_string(i) + " is malformed");
    }
    if (i > 0 && tree.entries[i - 1].name >= tree.entries[i].name) {
      return Status::Corruption(what + ": entries are not sorted or a name is duplicated");
    }
  }
  if (!d.done()) return Status::Corruption(what + ": trailing bytes after the last entry");
  return tree;
}

const TreeEntry* Tree::Find(std::string_view name) const {
  auto it = std::lower_bound(entries.begin(), entries.end(), name,
                             [](const TreeEntry& e, std::string_view n) { return e.name < n; });
  if (it == entries.end() || it->name != name) return nullptr;
  return &*it;
}

}  // namespace strata
