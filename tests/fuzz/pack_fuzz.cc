// Fuzzes the pack read path on an arbitrary pack file: PackReader::ReadTrailer, then for every object the
// trailer lists ReadFrameTable, ReadObject and IsZeroFrame. The input is read as it is, then with its
// trailer checksum made valid so that the entries behind it are parsed and followed. The pack lives in a
// MemoryEnv, so the real file-reading code runs without disk I/O.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/coding.h"
#include "store/format.h"
#include "store/hash.h"
#include "store/pack_reader.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/memory_env.h"

namespace {

using strata::format::kIndexEntrySize;
using strata::format::kPackFooterSize;
using strata::format::kPackHeaderSize;

constexpr char kStore[] = "/store";
constexpr strata::PackId kPackId = {0xa8, 0x75, 0x3b, 0x4a, 0xdf, 0xac, 0x6d, 0x3c,
                                    0x70, 0x25, 0x88, 0x03, 0x4e, 0xeb, 0x6a, 0x3f};
// Objects larger than this are not read whole (the limit the store uses for metadata is far larger).
constexpr uint64_t kMaxObject = 1 << 20;

// The footer's checksum over the trailer's entries, recomputed when the footer's offset is in range.
std::string WithTrailerChecksumFixed(std::string_view pack) {
  std::string out(pack);
  if (out.size() < kPackHeaderSize + kPackFooterSize) return out;
  const uint64_t footer = out.size() - kPackFooterSize;
  const uint64_t index_offset = strata::DecodeFixed64(out.data() + footer);
  if (index_offset > footer) return out;
  std::string_view index = std::string_view(out).substr(index_offset, footer - index_offset);
  out.replace(footer + 16, 32, strata::HashBytes(index).View());
  return out;
}

void CheckObject(strata::PackReader* reader, const strata::IndexEntry& entry) {
  auto table = reader->ReadFrameTable(entry);
  if (!table.ok()) return;
  const uint64_t frames = entry.FrameCount();
  STRATA_FUZZ_CHECK(table->offsets.size() == frames + 1);
  STRATA_FUZZ_CHECK(table->offsets.front() == entry.offset);
  for (uint64_t i = 0; i < frames; i++) {
    STRATA_FUZZ_CHECK(table->offsets[i + 1] - table->offsets[i] >= strata::format::kFrameOverhead);
  }
  STRATA_FUZZ_CHECK(table->offsets.back() + 4 * frames == entry.offset + entry.stored_len);

  std::string frame;
  for (uint64_t i = 0; i < frames; i++) {
    if (!reader->IsZeroFrame(entry, *table, i)) continue;
    STRATA_FUZZ_CHECK(reader->ReadFrame(entry, *table, i, &frame).ok());
    STRATA_FUZZ_CHECK(frame == std::string(entry.FrameRawSize(i), '\0'));
  }
  auto object = reader->ReadObject(entry, kMaxObject);
  if (object.ok()) STRATA_FUZZ_CHECK(object->size() == entry.raw_size);
}

void CheckPack(std::string pack) {
  strata::fuzz::MemoryEnv env;
  const uint64_t size = pack.size();
  env.Put(strata::PackPath(kStore, kPackId), std::move(pack));
  strata::FrameCodec codec(1);
  strata::PackReader reader(&env, kStore, &codec);
  auto entries = reader.ReadTrailer(kPackId);
  if (!entries.ok()) return;
  STRATA_FUZZ_CHECK(kPackHeaderSize + entries->size() * kIndexEntrySize + kPackFooterSize <= size);
  for (const strata::IndexEntry& entry : *entries) {
    STRATA_FUZZ_CHECK(entry.pack == kPackId);
    STRATA_FUZZ_CHECK(entry.offset >= kPackHeaderSize && entry.offset + entry.stored_len <= size);
    // Entries round-trip through their 96-byte form.
    std::string encoded;
    entry.EncodeTo(&encoded);
    auto again = strata::IndexEntry::Decode(encoded, "re-encoded entry");
    STRATA_FUZZ_CHECK(again.ok());
    std::string reencoded;
    again->EncodeTo(&reencoded);
    STRATA_FUZZ_CHECK(reencoded == encoded);
    CheckObject(&reader, entry);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckPack(std::string(bytes));
  CheckPack(WithTrailerChecksumFixed(bytes));
  return 0;
}
