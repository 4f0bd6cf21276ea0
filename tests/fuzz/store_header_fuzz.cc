// Fuzzes StoreHeader::Decode (STORE/strata-store): the input as it is, then with its body length and
// checksum made valid so that the version, length and parameter checks behind it are reached.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/store_header.h"
#include "tests/fuzz/checksums.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr size_t kBodySizeV1 = 34;  // strata-store(5), "Header": the body fields of version 1

void CheckHeader(std::string_view bytes) {
  auto decoded = strata::StoreHeader::Decode(bytes, "fuzz header");
  if (!decoded.ok()) {
    STRATA_FUZZ_CHECK(!decoded.status().message().empty());
    return;
  }
  // A version 1 body without extension bytes is exactly what Encode writes, and re-decoding what Encode
  // writes gives the same header back.
  const std::string encoded = decoded->Encode();
  if (bytes.size() == 16 + kBodySizeV1 + 32) STRATA_FUZZ_CHECK(encoded == bytes);
  auto again = strata::StoreHeader::Decode(encoded, "re-encoded header");
  STRATA_FUZZ_CHECK(again.ok());
  STRATA_FUZZ_CHECK(again->Encode() == encoded);
  STRATA_FUZZ_CHECK(again->UuidString() == decoded->UuidString());
  STRATA_FUZZ_CHECK(decoded->UuidString().size() == 36);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckHeader(bytes);
  CheckHeader(strata::fuzz::WithFramingFixed(bytes));
  return 0;
}
