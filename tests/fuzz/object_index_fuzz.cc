// Fuzzes index files (index/<id>.idx): ObjectIndex::Refresh maps the file and checks its layout, Find
// binary-searches it in place, CoveredPacks lists its packs and Verify checks it end to end. The input is
// read as it is, then with its entry count and checksum made consistent with its size so that the
// entries are searched and verified. A file that verifies must be found entry by entry, and must be
// exactly what ObjectIndex::Write writes for its entries.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/coding.h"
#include "store/format.h"
#include "store/object_index.h"
#include "tests/fuzz/checksums.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/memory_env.h"

namespace {

using strata::format::kChecksumSize;
using strata::format::kIndexEntrySize;
using strata::format::kIndexHeaderSize;

constexpr char kStore[] = "/store";
const std::string kIndexPath = std::string(kStore) + "/index/" + std::string(64, 'a') + ".idx";

std::string WithCountAndChecksumFixed(std::string_view bytes) {
  std::string out(bytes);
  if (out.size() < kIndexHeaderSize + kChecksumSize) return out;
  const uint64_t count = (out.size() - kIndexHeaderSize - kChecksumSize) / kIndexEntrySize;
  out.resize(kIndexHeaderSize + count * kIndexEntrySize + kChecksumSize);
  strata::EncodeFixed32(out.data() + 12, static_cast<uint32_t>(count));
  return strata::fuzz::WithTrailingChecksum(out);
}

void CheckIndexFile(const std::string& file) {
  strata::fuzz::MemoryEnv env;
  env.Put(kIndexPath, file);
  strata::ObjectIndex index(&env, kStore);
  const bool mapped = index.Refresh().ok();
  const bool verified = strata::ObjectIndex::Verify(file, "fuzz index").ok();
  // Verify checks everything Refresh does, and more.
  if (verified) STRATA_FUZZ_CHECK(mapped);
  if (!mapped) return;

  const std::string_view entries =
      std::string_view(file).substr(kIndexHeaderSize, file.size() - kIndexHeaderSize - kChecksumSize);
  const auto covered = index.CoveredPacks();
  std::vector<strata::IndexEntry> decoded;
  for (size_t off = 0; off < entries.size(); off += kIndexEntrySize) {
    std::string_view slot = entries.substr(off, kIndexEntrySize);
    STRATA_FUZZ_CHECK(covered.count(strata::HexEncode(slot.substr(56, strata::format::kPackIdSize))) == 1);
    auto entry = strata::IndexEntry::Decode(slot, "fuzz index");
    auto found = index.Find(strata::ObjectId::FromBytes(slot.substr(0, 32)));
    if (!verified) continue;
    STRATA_FUZZ_CHECK(entry.ok() && found.has_value());
    std::string reencoded;
    found->EncodeTo(&reencoded);
    STRATA_FUZZ_CHECK(reencoded == slot);
    decoded.push_back(*entry);
  }
  if (!verified) return;
  // Write goes to another env: the index above still maps `file`.
  strata::fuzz::MemoryEnv out_env;
  auto written = strata::ObjectIndex::Write(&out_env, kStore, decoded);
  STRATA_FUZZ_CHECK(written.ok());
  STRATA_FUZZ_CHECK(*out_env.Get(*written) == file);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckIndexFile(std::string(bytes));
  CheckIndexFile(WithCountAndChecksumFixed(bytes));
  return 0;
}
