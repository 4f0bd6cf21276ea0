// Managing a store as a whole (Repository::Inspect, ChangePassword, Unlock): what its header says, its
// password, its locks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace strata {

// What a store's header says; readable without the password.
struct StoreInfo {
  std::string id;  // the store's UUID, 8-4-4-4-12 lowercase hex
  bool encrypted = false;
  uint32_t frame_size_kib = 0;
  uint32_t pack_size_mib = 0;
  uint32_t max_chain = 0;
  int compression_level = 0;
};

// One lock file Unlock found.
struct LockReport {
  std::string file;    // under the store, e.g. "locks/3f2a..."
  std::string holder;  // "backup, host h, pid 12, since 2026-11-22T10:15:30Z", or why it cannot be read
  std::string stale;   // why it is stale; empty for a live lock
  bool removed = false;
};

struct UnlockReport {
  std::vector<LockReport> locks;        // removed ones first
  std::vector<std::string> temp_packs;  // temporary packs of dead writers removed, e.g. "tmp/x.pack.tmp"
};

}  // namespace strata
