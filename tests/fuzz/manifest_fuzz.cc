// Fuzzes Manifest::Decode (snapshots/<id>.snap): the input as it is, then with its body length and checksum
// made valid so that the body is parsed. A manifest that decodes must encode back to a manifest with the same
// id and content, and its id is the checksum it was read with.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/hash.h"
#include "store/manifest.h"
#include "tests/fuzz/checksums.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

void CheckManifest(std::string_view bytes) {
  auto m = strata::Manifest::Decode(bytes, "fuzz manifest");
  if (!m.ok()) {
    STRATA_FUZZ_CHECK(m.status().message().starts_with("fuzz manifest: "));
    return;
  }
  STRATA_FUZZ_CHECK(m->id.View() == bytes.substr(bytes.size() - 32));
  STRATA_FUZZ_CHECK(m->id == strata::HashBytes(bytes.substr(0, bytes.size() - 32)));
  STRATA_FUZZ_CHECK(m->root.type == strata::EntryType::kDirectory);
  STRATA_FUZZ_CHECK(m->root.name.empty() || strata::IsValidEntryName(m->root.name));
  strata::Manifest copy = *m;
  const std::string encoded = copy.Encode();
  STRATA_FUZZ_CHECK(encoded.size() <= bytes.size());
  auto again = strata::Manifest::Decode(encoded, "re-encoded manifest");
  STRATA_FUZZ_CHECK(again.ok());
  STRATA_FUZZ_CHECK(again->id == copy.id);
  STRATA_FUZZ_CHECK(again->root == m->root && again->paths == m->paths && again->warnings == m->warnings);
  STRATA_FUZZ_CHECK(again->Encode() == encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckManifest(bytes);
  CheckManifest(strata::fuzz::WithFramingFixed(bytes));
  return 0;
}
