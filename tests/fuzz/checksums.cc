#include "tests/fuzz/checksums.h"

#include <xxhash.h>

#include "store/coding.h"
#include "store/format.h"
#include "store/hash.h"

namespace strata::fuzz {

std::string WithTrailingChecksum(std::string_view bytes) {
  std::string out(bytes);
  if (out.size() < format::kChecksumSize) return out;
  std::string_view covered = bytes.substr(0, bytes.size() - format::kChecksumSize);
  out.replace(covered.size(), format::kChecksumSize, HashBytes(covered).View());
  return out;
}

std::string WithFramingFixed(std::string_view bytes) {
  constexpr size_t kFraming = 16 + format::kChecksumSize;
  if (bytes.size() < kFraming) return std::string(bytes);
  std::string out(bytes);
  EncodeFixed32(out.data() + 12, static_cast<uint32_t>(out.size() - kFraming));
  return WithTrailingChecksum(out);
}

std::string FrameCheck(const Salt& salt, uint32_t index, uint32_t raw_len, std::string_view encoded) {
  std::string prefix(reinterpret_cast<const char*>(salt.data()), salt.size());
  PutFixed32(&prefix, index);
  PutFixed32(&prefix, raw_len);
  prefix.append(encoded);
  XXH128_canonical_t check;
  XXH128_canonicalFromHash(&check, XXH3_128bits(prefix.data(), prefix.size()));
  return std::string(reinterpret_cast<const char*>(check.digest), sizeof check.digest);
}

}  // namespace strata::fuzz
