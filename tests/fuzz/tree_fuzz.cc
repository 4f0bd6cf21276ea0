// Fuzzes Tree::Decode (directory objects). A tree that decodes must encode to bytes that decode to the
// same tree, must hold only valid, sorted, unique names, and must be searchable by every name it holds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/tree.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto tree = strata::Tree::Decode(bytes, "fuzz tree");
  if (!tree.ok()) {
    STRATA_FUZZ_CHECK(tree.status().message().starts_with("fuzz tree: "));
    return 0;
  }
  for (size_t i = 0; i < tree->entries.size(); i++) {
    const strata::TreeEntry& e = tree->entries[i];
    STRATA_FUZZ_CHECK(strata::IsValidEntryName(e.name));
    STRATA_FUZZ_CHECK(i == 0 || tree->entries[i - 1].name < e.name);
    STRATA_FUZZ_CHECK(tree->Find(e.name) == &e);
    STRATA_FUZZ_CHECK(e.mode <= 07777);
    STRATA_FUZZ_CHECK((e.type == strata::EntryType::kSymlink) == !e.symlink_target.empty());
    const bool has_ref = e.type == strata::EntryType::kRegular || e.type == strata::EntryType::kDirectory;
    STRATA_FUZZ_CHECK(has_ref || e.ref.IsZero());
    const struct timespec ts = strata::TimespecFromNanos(e.mtime_ns);
    STRATA_FUZZ_CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
  }
  // Varints may be written with redundant bytes, so the input need not be canonical; what Encode writes
  // is, and it must mean the same tree.
  const std::string encoded = tree->Encode();
  STRATA_FUZZ_CHECK(encoded.size() <= bytes.size());
  auto again = strata::Tree::Decode(encoded, "re-encoded tree");
  STRATA_FUZZ_CHECK(again.ok());
  STRATA_FUZZ_CHECK(again->entries == tree->entries);
  return 0;
}
