// Repository: walking a snapshot's tree, and writing a file out whole.
#include "src/api/public_types.h"
#include "src/api/repository_impl.h"
#include "src/deep_stack.h"
#include "src/restore.h"
#include "src/tree_walk.h"
#include "strata/repository.h"

namespace strata {
namespace {

using Visit = std::function<void(const std::string& path, const Entry& entry)>;

Status Walk(Store* store, const ObjectId& tree_id, const std::string& prefix, const Visit& visit,
            TreeWalk* walk) {
  STRATA_RETURN_IF_ERROR(walk->Enter(tree_id));
  auto tree = store->LoadTree(tree_id);
  Status s = tree.status();
  for (size_t i = 0; s.ok() && i < tree->entries.size(); i++) {
    const TreeEntry& e = tree->entries[i];
    const std::string path = prefix.empty() ? e.name : prefix + "/" + e.name;
    visit(path, ToEntry(e));
    if (e.type == EntryType::kDirectory) s = Walk(store, e.ref, path, visit, walk);
  }
  walk->Leave();
  return s;
}

// "a/b/" as "a/b", the root ("", ".", "/") as "".
std::string Prefix(std::string_view path) {
  std::string p(path);
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p == "." ? "" : p;
}

}  // namespace

Status Repository::ListTree(std::string_view snapshot, std::string_view path, const Visit& visit) {
  STRATA_ASSIGN_OR_RETURN(Impl::Found found, impl_->Find(snapshot, path));
  const std::string prefix = Prefix(path);
  if (found.entry.type != EntryType::kDirectory) {
    return Status::InvalidArgument("snapshot " + found.snapshot.name + ": " +
                                   (prefix.empty() ? "." : prefix) + ": not a directory");
  }
  TreeWalk walk;
  Status s;
  // Trees nest up to format::kMaxTreeDepth deep: more than the main thread's stack holds.
  RunOnDeepStack(kDeepWalkStack,
                 [&] { s = Walk(impl_->store.get(), found.entry.ref, prefix, visit, &walk); });
  return s;
}

Status Repository::WriteFile(std::string_view snapshot, std::string_view path, std::FILE* out) {
  STRATA_ASSIGN_OR_RETURN(Impl::Found found, impl_->Find(snapshot, path));
  const std::string what = std::string(path);
  if (found.entry.type != EntryType::kRegular) return Status::InvalidArgument(what + ": not a regular file");
  Status s = WriteVersionTo(impl_->store.get(), found.entry.ref, found.entry.size, out, what);
  return s.ok() ? s : s.WithContext(what);
}

}  // namespace strata
