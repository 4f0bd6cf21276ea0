#include "store/file_version.h"

#include "store/coding.h"
#include "store/format.h"

namespace strata {

std::string FileVersion::Encode() const {
  std::string out;
  PutFixed8(&out, format::kFileVersionRecordVersion);
  PutFixed8(&out, static_cast<uint8_t>(kind));
  PutVarint64(&out, size);
  PutVarint64(&out, hash_block_len);
  out.append(content_hash.View());
  out.append(signature.View());
  out.append(payload.View());
  if (kind == Kind::kDelta) {
    out.append(base.View());
    PutVarint64(&out, depth);
    PutVarint64(&out, literal_size);
    PutLengthPrefixed(&out, ops);
  }
  return out;
}

Result<FileVersion> FileVersion::Decode(std::string_view bytes, const std::string& what) {
  Decoder d(bytes);
  uint8_t version, kind;
  if (!d.GetFixed8(&version) || !d.GetFixed8(&kind))
    return Status::Corruption(what + ": truncated version record");
  if (version != format::kFileVersionRecordVersion) {
    return Status::NotSupported(what + ": version record format " + std::to_string(version) +
                                " is not supported");
  }
  if (kind != 1 && kind != 2)
    return Status::Corruption(what + ": unknown version kind " + std::to_string(kind));
  FileVersion v;
  v.kind = static_cast<Kind>(kind);
  std::string_view hash, sig, payload;
  if (!d.GetVarint64(&v.size) || !d.GetVarint32(&v.hash_block_len) || !d.GetBytes(32, &hash) ||
      !d.GetBytes(32, &sig) || !d.GetBytes(32, &payload)) {
    return Status::Corruption(what + ": truncated version record");
  }
  if (v.hash_block_len == 0 || v.hash_block_len > (1u << 16)) {
    return Status::Corruption(what + ": hash block length " + std::to_string(v.hash_block_len) +
                              " out of range");
  }
  v.content_hash = ObjectId::FromBytes(hash);
  v.signature = ObjectId::FromBytes(sig);
  v.payload = ObjectId::FromBytes(payload);
  if (v.kind == Kind::kDelta) {
    std::string_view base, ops;
    uint64_t depth;
    if (!d.GetBytes(32, &base) || !d.GetVarint64(&depth) || !d.GetVarint64(&v.literal_size) ||
        !d.GetLengthPrefixed(&ops)) {
      return Status::Corruption(what + ": truncated delta record");
    }
    if (depth == 0 || depth > 100000) return Status::Corruption(what + ": implausible chain depth");
    if (v.literal_size > v.size) return Status::Corruption(what + ": literal stream larger than the file");
    v.base = ObjectId::FromBytes(base);
    v.depth = static_cast<uint32_t>(depth);
    v.ops = ops;
  }
  if (!d.done()) return Status::Corruption(what + ": trailing bytes in version record");
  return v;
}

Status ListedSizeMismatch(uint64_t listed_size, const ObjectId& version, uint64_t version_size,
                          const std::string& what) {
  return Status::Corruption((what.empty() ? "" : what + ": ") + "listed with " + std::to_string(listed_size) +
                            " bytes, but its version " + version.Hex() + " has " +
                            std::to_string(version_size));
}

}  // namespace strata
