#include "store/object_id.h"

#include <algorithm>
#include <cassert>

namespace strata {

std::string HexEncode(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

bool ObjectId::IsZero() const {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

std::string ObjectId::Hex() const { return HexEncode(View()); }

std::optional<ObjectId> ObjectId::FromHex(std::string_view hex) {
  if (hex.size() != kSize * 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  ObjectId id;
  for (size_t i = 0; i < kSize; i++) {
    int hi = nibble(hex[2 * i]);
    int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return id;
}

ObjectId ObjectId::FromBytes(std::string_view raw) {
  assert(raw.size() == kSize);
  ObjectId id;
  std::memcpy(id.bytes.data(), raw.data(), kSize);
  return id;
}

}  // namespace strata
