#include "store/store_header.h"

#include "store/coding.h"
#include "store/format.h"
#include "store/hash.h"

namespace strata {
namespace {

constexpr size_t kBodySizeV1 = 16 + 1 + 4 + 4 + 8 + 1;

template <size_t N>
void AppendBytes(std::string* dst, const std::array<uint8_t, N>& bytes) {
  dst->append(reinterpret_cast<const char*>(bytes.data()), N);
}

template <size_t N>
bool GetArray(Decoder* d, std::array<uint8_t, N>* out) {
  std::string_view bytes;
  if (!d->GetBytes(N, &bytes)) return false;
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(out->data()));
  return true;
}

Status DecodeKeySlot(Decoder* d, const std::string& what, KeySlot* slot) {
  uint8_t kdf_alg = 0;
  d->GetFixed8(&kdf_alg);
  d->GetFixed32(&slot->kdf.opslimit);
  d->GetFixed64(&slot->kdf.memlimit);
  GetArray(d, &slot->kdf.salt);
  GetArray(d, &slot->nonce);
  GetArray(d, &slot->wrapped);
  if (!d->ok()) return Status::Corruption(what + ": header body is truncated (encryption fields)");
  if (kdf_alg != format::kKdfArgon2id13) {
    return Status::NotSupported(what + ": key derivation function " + std::to_string(kdf_alg) +
                                " is not supported");
  }
  if (!slot->kdf.InRange()) return Status::Corruption(what + ": key derivation parameters out of range");
  return Status::Ok();
}

}  // namespace

std::string StoreHeader::UuidString() const {
  std::string hex = HexEncode(std::string_view(reinterpret_cast<const char*>(uuid.data()), uuid.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

std::string StoreHeader::WrapAssociatedData() const {
  std::string body;
  AppendBytes(&body, uuid);
  PutFixed8(&body, params.data_frame_log2);
  PutFixed32(&body, static_cast<uint32_t>(params.zstd_level));
  PutFixed32(&body, params.max_chain);
  PutFixed64(&body, params.pack_target_size);
  PutFixed8(&body, encryption);
  if (encryption == format::kEncryptionXChaCha20Argon2id) {
    PutFixed8(&body, format::kKdfArgon2id13);
    PutFixed32(&body, key_slot.kdf.opslimit);
    PutFixed64(&body, key_slot.kdf.memlimit);
    AppendBytes(&body, key_slot.kdf.salt);
  }
  return body;
}

std::string StoreHeader::Encode() const {
  std::string body = WrapAssociatedData();
  if (encryption == format::kEncryptionXChaCha20Argon2id) {
    AppendBytes(&body, key_slot.nonce);
    AppendBytes(&body, key_slot.wrapped);
  }
  std::string out(format::kHeaderMagic);
  PutFixed32(&out, version);
  PutFixed32(&out, static_cast<uint32_t>(body.size()));
  out.append(body);
  out.append(HashBytes(out).View());
  return out;
}

Result<StoreHeader> StoreHeader::Decode(std::string_view bytes, const std::string& what) {
  // A header cut short (an empty file included) says so rather than "bad magic".
  if (bytes.size() < 16 &&
      (format::kHeaderMagic.starts_with(bytes) || bytes.starts_with(format::kHeaderMagic))) {
    return Status::Corruption(what + ": header is truncated (" + std::to_string(bytes.size()) + " bytes)");
  }
  if (bytes.substr(0, format::kMagicSize) != format::kHeaderMagic) {
    return Status::Corruption(what + ": not a strata store header (bad magic)");
  }
  StoreHeader h;
  h.version = DecodeFixed32(bytes.data() + 8);
  if (h.version > format::kStoreVersion) {
    return Status::NotSupported(what + ": store format version " + std::to_string(h.version) +
                                " is newer than this strata supports (" +
                                std::to_string(format::kStoreVersion) + ")");
  }
  if (h.version == 0) return Status::Corruption(what + ": invalid format version 0");
  uint32_t body_len = DecodeFixed32(bytes.data() + 12);
  if (body_len < kBodySizeV1 || bytes.size() != 16 + uint64_t{body_len} + format::kChecksumSize) {
    return Status::Corruption(what + ": header is truncated or has trailing garbage");
  }
  std::string_view covered = bytes.substr(0, 16 + body_len);
  if (HashBytes(covered).View() != bytes.substr(covered.size())) {
    return Status::Corruption(what + ": header checksum mismatch (damaged)");
  }
  Decoder d(bytes.substr(16, body_len));
  uint32_t level;
  GetArray(&d, &h.uuid);
  d.GetFixed8(&h.params.data_frame_log2);
  d.GetFixed32(&level);
  d.GetFixed32(&h.params.max_chain);
  d.GetFixed64(&h.params.pack_target_size);
  d.GetFixed8(&h.encryption);
  if (!d.ok()) return Status::Corruption(what + ": header body is truncated");
  h.params.zstd_level = static_cast<int32_t>(level);
  if (h.params.data_frame_log2 < format::kMinFrameLog2 || h.params.data_frame_log2 > format::kMaxFrameLog2 ||
      h.params.zstd_level < -7 || h.params.zstd_level > 22 || h.params.max_chain == 0 ||
      h.params.max_chain > 1000 || h.params.pack_target_size < (1 << 20) ||
      h.params.pack_target_size > (4ull << 30)) {
    return Status::Corruption(what + ": header parameters out of range");
  }
  if (h.encryption == format::kEncryptionXChaCha20Argon2id) {
    STRATA_RETURN_IF_ERROR(DecodeKeySlot(&d, what, &h.key_slot));
  } else if (h.encryption != format::kEncryptionNone) {
    return Status::NotSupported(what + ": store uses encryption mode " + std::to_string(h.encryption) +
                                ", which this strata does not support");
  }
  return h;
}

}  // namespace strata
