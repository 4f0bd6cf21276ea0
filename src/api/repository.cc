// Repository: opening and creating stores, and browsing their snapshots.
#include "strata/repository.h"

#include <sodium.h>

#include <bit>

#include "src/api/public_types.h"
#include "src/api/repository_impl.h"
#include "src/init_from.h"
#include "store/file_version.h"

namespace strata {

PasswordSource SecretSource(const PasswordCallback& callback, const std::string& store) {
  if (!callback) return {};
  return [callback, store]() -> Result<SecretBytes> {
    Result<std::string> password = callback();
    if (!password.ok()) return password.status();
    auto secret = password->empty()
                      ? Result<SecretBytes>(Status::InvalidArgument("password of store " + store + ": empty"))
                      : SecretBytes::CopyOf(*password);
    sodium_memzero(password->data(), password->size());
    return secret;
  };
}

namespace {

// A path as errors show it: the root as ".".
std::string Shown(std::string_view path) {
  return path.find_first_not_of("/.") == std::string_view::npos ? "." : std::string(path);
}

class VersionReader : public FileReader {
 public:
  VersionReader(std::shared_ptr<Store> store, const ObjectId& version, uint64_t file_size, std::string what)
      : store_(std::move(store)), version_(version), size_(file_size), what_(std::move(what)) {}

  uint64_t size() const override { return size_; }

  Status Read(uint64_t offset, size_t n, std::string* out) override {
    Status s = store_->ReadVersion(version_, offset, n, out);
    if (!s.ok()) return s.WithContext(what_);
    return Status::Ok();
  }

 private:
  std::shared_ptr<Store> store_;
  ObjectId version_;
  uint64_t size_;
  std::string what_;  // "snapshot NAME: PATH"
};

}  // namespace

Repository::Repository(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Repository::~Repository() = default;

Status Repository::Init(const std::string& path, const InitOptions& options) {
  const std::string what = "store " + path + ": ";
  if (options.pack_size_mib < 1 || options.pack_size_mib > 4096) {
    return Status::InvalidArgument(what + "pack size must be 1..4096 MiB, not " +
                                   std::to_string(options.pack_size_mib));
  }
  if (options.max_chain < 1 || options.max_chain > 1000) {
    return Status::InvalidArgument(what + "max chain must be 1..1000, not " +
                                   std::to_string(options.max_chain));
  }
  if (options.compression_level < -7 || options.compression_level > 22) {
    return Status::InvalidArgument(what + "compression level must be -7..22, not " +
                                   std::to_string(options.compression_level));
  }
  const uint32_t kib = options.frame_size_kib;
  if (kib < 4 || kib > 1024 || !std::has_single_bit(kib)) {
    return Status::InvalidArgument(what + "frame size must be a power of two, 4..1024 KiB, not " +
                                   std::to_string(kib));
  }
  if (!options.from.empty()) {
    return InitStoreFrom(Env::Default(), path, options.from,
                         SecretSource(options.from_password, options.from),
                         SecretSource(options.password, path), ToKdfStrength(options.key_strength));
  }
  StoreParams params;
  params.data_frame_log2 = static_cast<uint8_t>(std::countr_zero(kib) + 10);
  params.pack_target_size = uint64_t{options.pack_size_mib} << 20;
  params.max_chain = options.max_chain;
  params.zstd_level = options.compression_level;
  if (!options.encrypted) return Store::Init(Env::Default(), path, params);
  if (!options.password) return Status::InvalidArgument(what + "an encrypted store needs a password");
  auto password = SecretSource(options.password, path)();
  if (!password.ok()) return password.status();
  return Store::Init(Env::Default(), path, params, &*password, ToKdfStrength(options.key_strength));
}

Result<std::unique_ptr<Repository>> Repository::Open(const OpenOptions& options) {
  STRATA_ASSIGN_OR_RETURN(
      std::unique_ptr<Store> store,
      Store::Open(Env::Default(), options.path, SecretSource(options.password, options.path)));
  auto impl = std::make_unique<Impl>(std::shared_ptr<Store>(std::move(store)), options.log);
  return std::unique_ptr<Repository>(new Repository(std::move(impl)));
}

const std::string& Repository::path() const { return impl_->store->path(); }
bool Repository::encrypted() const { return impl_->store->encrypted(); }

Result<std::vector<Snapshot>> Repository::ListSnapshots() {
  std::vector<std::string> problems;
  STRATA_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> list, impl_->snapshots.List(&problems));
  for (const std::string& problem : problems) {
    impl_->log.Log(LogLevel::kWarning, "skipping damaged snapshot: " + problem);
  }
  std::vector<Snapshot> out;
  out.reserve(list.size());
  for (const SnapshotInfo& info : list) out.push_back(ToSnapshot(info));
  return out;
}

Result<Repository::Impl::Found> Repository::Impl::Find(std::string_view snapshot_ref, std::string_view path) {
  STRATA_ASSIGN_OR_RETURN(SnapshotInfo snapshot, snapshots.Find(snapshot_ref));
  SeeNewObjects();
  auto entry = store->Lookup(snapshot.manifest, path);
  if (entry.ok()) return Found{std::move(snapshot), std::move(entry).value()};
  // Lookup's own NotFound names the path; damage names only the object that failed.
  if (entry.status().IsNotFound()) return entry.status();
  return entry.status().WithContext("snapshot " + snapshot.name + ": " + Shown(path));
}

Result<std::vector<Entry>> Repository::ListDir(std::string_view snapshot, std::string_view path) {
  STRATA_ASSIGN_OR_RETURN(Impl::Found found, impl_->Find(snapshot, path));
  const std::string what = "snapshot " + found.snapshot.name + ": " + Shown(path);
  if (found.entry.type != EntryType::kDirectory) return Status::InvalidArgument(what + ": not a directory");
  auto tree = impl_->store->GetTree(found.entry.ref);
  if (!tree.ok()) return tree.status().WithContext(what);
  std::vector<Entry> out;
  out.reserve((*tree)->entries.size());
  for (const TreeEntry& e : (*tree)->entries) out.push_back(ToEntry(e));
  return out;
}

Result<Entry> Repository::Stat(std::string_view snapshot, std::string_view path) {
  STRATA_ASSIGN_OR_RETURN(Impl::Found found, impl_->Find(snapshot, path));
  return ToEntry(found.entry);
}

Result<std::unique_ptr<FileReader>> Repository::OpenFile(std::string_view snapshot, std::string_view path) {
  STRATA_ASSIGN_OR_RETURN(Impl::Found found, impl_->Find(snapshot, path));
  std::string what = "snapshot " + found.snapshot.name + ": " + Shown(path);
  if (found.entry.type != EntryType::kRegular) return Status::InvalidArgument(what + ": not a regular file");
  // The tree entry and the version record are separate objects: a crafted store can make their sizes
  // disagree, and size() must be what Read delivers.
  auto version = impl_->store->LoadVersion(found.entry.ref);
  if (!version.ok()) return version.status().WithContext(what);
  if (version->size != found.entry.size) {
    return ListedSizeMismatch(found.entry.size, found.entry.ref, version->size, what);
  }
  return std::unique_ptr<FileReader>(
      std::make_unique<VersionReader>(impl_->store, found.entry.ref, found.entry.size, std::move(what)));
}

}  // namespace strata
