#include "src/posix_acl_text.h"

#include <cstdint>

namespace strata {
namespace {

// The layout of linux/posix_acl_xattr.h: a 4-byte version (2), then 8-byte entries of a 2-byte tag,
// 2-byte permissions and a 4-byte id, all little-endian.
constexpr uint32_t kVersion = 2;
constexpr size_t kEntrySize = 8;

uint32_t LittleEndian(std::string_view bytes, size_t at, size_t n) {
  uint32_t v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

}  // namespace

std::optional<std::string> PosixAclText(std::string_view xattr) {
  if (xattr.size() < 4 || (xattr.size() - 4) % kEntrySize != 0 || LittleEndian(xattr, 0, 4) != kVersion) {
    return std::nullopt;
  }
  std::string out;
  for (size_t at = 4; at < xattr.size(); at += kEntrySize) {
    const uint32_t tag = LittleEndian(xattr, at, 2);
    const uint32_t perm = LittleEndian(xattr, at + 2, 2);
    const uint32_t id = LittleEndian(xattr, at + 4, 4);
    std::string entry;
    switch (tag) {
      case 0x01:
        entry = "user::";
        break;
      case 0x02:
        entry = "user:" + std::to_string(id) + ":";
        break;
      case 0x04:
        entry = "group::";
        break;
      case 0x08:
        entry = "group:" + std::to_string(id) + ":";
        break;
      case 0x10:
        entry = "mask::";
        break;
      case 0x20:
        entry = "other::";
        break;
      default:
        return std::nullopt;
    }
    if (perm > 7) return std::nullopt;
    entry += (perm & 4) != 0 ? 'r' : '-';
    entry += (perm & 2) != 0 ? 'w' : '-';
    entry += (perm & 1) != 0 ? 'x' : '-';
    out += (out.empty() ? "" : ",") + entry;
  }
  return out;
}

}  // namespace strata
