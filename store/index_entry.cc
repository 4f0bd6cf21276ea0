#include "store/index_entry.h"

#include <cstring>

#include "store/coding.h"

namespace strata {

std::string PackIdHex(const PackId& id) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(id.data()), id.size()));
}

bool ParsePackId(std::string_view hex, PackId* id) {
  if (hex.size() != 2 * id->size()) return false;
  std::string padded(hex);
  padded.append(64 - padded.size(), '0');
  auto full = ObjectId::FromHex(padded);
  if (!full) return false;
  std::memcpy(id->data(), full->bytes.data(), id->size());
  return true;
}

void IndexEntry::EncodeTo(std::string* out) const {
  out->append(id.View());
  PutFixed8(out, static_cast<uint8_t>(type));
  PutFixed8(out, frame_log2);
  out->append(6, '\0');  // reserved
  out->append(reinterpret_cast<const char*>(salt.data()), salt.size());
  out->append(reinterpret_cast<const char*>(pack.data()), pack.size());
  PutFixed64(out, offset);
  PutFixed64(out, stored_len);
  PutFixed64(out, raw_size);
}

Result<IndexEntry> IndexEntry::Decode(std::string_view bytes, const std::string& what,
                                      size_t frame_overhead) {
  auto corrupt = [&](const std::string& why) { return Status::Corruption(what + ": index entry " + why); };
  if (bytes.size() != format::kIndexEntrySize) return corrupt("has the wrong size");
  IndexEntry e;
  e.id = ObjectId::FromBytes(bytes.substr(0, 32));
  uint8_t type = static_cast<uint8_t>(bytes[32]);
  if (type == 0 || type > format::kMaxObjectType)
    return corrupt("has unknown object type " + std::to_string(type));
  e.type = static_cast<format::ObjectType>(type);
  e.frame_log2 = static_cast<uint8_t>(bytes[33]);
  if (e.frame_log2 < format::kMinFrameLog2 || e.frame_log2 > format::kMaxFrameLog2) {
    return corrupt("has frame size 2^" + std::to_string(e.frame_log2) + " out of range");
  }
  for (int i = 34; i < 40; i++) {
    if (bytes[i] != 0) return corrupt("has non-zero reserved bytes");
  }
  std::memcpy(e.salt.data(), bytes.data() + 40, e.salt.size());
  std::memcpy(e.pack.data(), bytes.data() + 56, e.pack.size());
  e.offset = DecodeFixed64(bytes.data() + 72);
  e.stored_len = DecodeFixed64(bytes.data() + 80);
  e.raw_size = DecodeFixed64(bytes.data() + 88);
  if (e.raw_size > (uint64_t{1} << 50)) return corrupt("declares an implausible size");
  uint64_t frames = e.FrameCount();
  // Every frame costs at least its overhead plus 4 bytes in the frame table.
  // and never more than a raw frame plus its overhead.
  if (e.stored_len < frames * (frame_overhead + 4) ||
      e.stored_len > e.raw_size + frames * (frame_overhead + 4) || e.offset + e.stored_len < e.offset) {
    return corrupt("has a stored length inconsistent with its frame count");
  }
  return e;
}

}  // namespace strata
