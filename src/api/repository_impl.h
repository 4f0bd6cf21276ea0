// What a Repository holds: its store (shared with the FileReaders it hands out, which may outlive it), its
// copy of the snapshot list, and its logger. Shared by the files that implement Repository.
#pragma once

#include <memory>
#include <string_view>

#include "src/api/logger.h"
#include "store/snapshot_cache.h"
#include "store/store.h"
#include "strata/repository.h"

namespace strata {

// The caller's password, moved into guarded memory at once; `store` names the store in errors.
PasswordSource SecretSource(const PasswordCallback& callback, const std::string& store);

struct Repository::Impl {
  Impl(std::shared_ptr<Store> opened, LogSink* sink)
      : store(std::move(opened)), snapshots(store.get()), log(sink) {}

  struct Found {
    SnapshotInfo snapshot;
    TreeEntry entry;
  };
  // The snapshot named by `snapshot_ref` and the entry at `path` in it; errors name both.
  Result<Found> Find(std::string_view snapshot_ref, std::string_view path);
  // Loads the index files written since the last call: snapshots made meanwhile (by another process, or
  // another Repository) need them. Called by every call that looks objects up. A damaged index file
  // makes the objects it lists read as missing, as after Store::Open, and Check reports it.
  void SeeNewObjects() { (void)store->RefreshIndex(); }

  std::shared_ptr<Store> store;
  SnapshotCache snapshots;
  Logger log;
};

}  // namespace strata
