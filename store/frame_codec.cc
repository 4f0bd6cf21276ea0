#include "store/frame_codec.h"

#include <sodium.h>
#include <zstd.h>

#include <cstring>

#include "store/coding.h"
#include "store/hash.h"
#include "store/xxh128.h"
#include "store/zeros.h"

namespace strata {
namespace {

struct ZstdContexts {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
  }
};

ZstdContexts& Contexts() {
  thread_local ZstdContexts contexts;
  return contexts;
}

using Check = Xxh128Digest;

// What binds a frame to its place besides its body: the object's salt, the frame index and raw length.
// With the encoding byte it is the plain check's prefix and the encrypted frame's associated data.
struct FramePlace {
  char bytes[format::kSaltSize + 8 + 1];

  FramePlace(const Salt& salt, uint32_t frame_index, size_t raw_len, char encoding) {
    std::memcpy(bytes, salt.data(), salt.size());
    EncodeFixed32(bytes + format::kSaltSize, frame_index);
    EncodeFixed32(bytes + format::kSaltSize + 4, static_cast<uint32_t>(raw_len));
    bytes[sizeof bytes - 1] = encoding;
  }
  std::string_view prefix() const { return {bytes, sizeof bytes - 1}; }
  std::string_view ad() const { return {bytes, sizeof bytes}; }
};

// `encoded` starts with the encoding byte.
Check FrameCheck(const Salt& salt, uint32_t frame_index, size_t raw_len, std::string_view encoded) {
  return Xxh128({FramePlace(salt, frame_index, raw_len, encoded[0]).prefix(), encoded});
}

// Zstd output and decrypted compressed bodies, reused by each thread.
std::string& Scratch() {
  thread_local std::string scratch;
  return scratch;
}

}  // namespace

Salt RandomSalt() {
  InitSodium();
  Salt salt;
  randombytes_buf(salt.data(), salt.size());
  return salt;
}

void FrameCodec::Encode(std::string_view raw, const Salt& salt, uint32_t frame_index,
                        std::string* out) const {
  auto encoding = format::FrameEncoding::kZeros;
  std::string_view body;
  if (raw.empty() || !IsAllZero(raw)) {
    std::string& scratch = Scratch();
    size_t bound = ZSTD_compressBound(raw.size());
    scratch.resize(bound);
    size_t n = ZSTD_compressCCtx(Contexts().cctx, scratch.data(), bound, raw.data(), raw.size(), level_);
    if (!ZSTD_isError(n) && n < raw.size()) {
      encoding = format::FrameEncoding::kZstd;
      body = std::string_view(scratch.data(), n);
    } else {
      encoding = format::FrameEncoding::kRaw;
      body = raw;
    }
  }
  const char encoding_byte = static_cast<char>(encoding);
  const size_t start = out->size();
  out->push_back(encoding_byte);
  if (cipher_ != nullptr) {
    cipher_->SealFrame(FramePlace(salt, frame_index, raw.size(), encoding_byte).ad(), body, out);
    return;
  }
  out->append(body.data(), body.size());
  Check check =
      FrameCheck(salt, frame_index, raw.size(), std::string_view(out->data() + start, out->size() - start));
  out->append(reinterpret_cast<const char*>(check.data()), check.size());
}

bool FrameCodec::IsZeroFrame(std::string_view stored, const Salt& salt, uint32_t frame_index,
                             size_t expected_raw) const {
  const char zeros = static_cast<char>(format::FrameEncoding::kZeros);
  if (stored.size() != overhead() || stored[0] != zeros) return false;
  if (cipher_ != nullptr) {
    std::string empty;
    return cipher_->OpenFrame(FramePlace(salt, frame_index, expected_raw, zeros).ad(), stored.substr(1),
                              &empty);
  }
  Check expected = FrameCheck(salt, frame_index, expected_raw, stored.substr(0, 1));
  return sodium_memcmp(expected.data(), stored.data() + 1, format::kFrameCheckSize) == 0;
}

Status FrameCodec::Decode(std::string_view stored, const Salt& salt, uint32_t frame_index,
                          size_t expected_raw, std::string* out, const std::string& what) const {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(what + ": frame " + std::to_string(frame_index) + ": " + why);
  };
  if (stored.size() < overhead()) return corrupt("too short");
  const char encoding_byte = stored[0];
  auto encoding = static_cast<format::FrameEncoding>(encoding_byte);
  std::string_view body;
  if (cipher_ != nullptr) {
    // A raw body decrypts straight into `out`; a compressed one into the scratch buffer it inflates from.
    std::string* plain = encoding == format::FrameEncoding::kZstd ? &Scratch() : out;
    if (!cipher_->OpenFrame(FramePlace(salt, frame_index, expected_raw, encoding_byte).ad(), stored.substr(1),
                            plain)) {
      return corrupt("fails authentication");
    }
    body = *plain;
  } else {
    std::string_view encoded = stored.substr(0, stored.size() - format::kFrameCheckSize);
    std::string_view check = stored.substr(encoded.size());
    Check expected = FrameCheck(salt, frame_index, expected_raw, encoded);
    if (sodium_memcmp(expected.data(), check.data(), format::kFrameCheckSize) != 0) {
      return corrupt("checksum mismatch");
    }
    body = encoded.substr(1);
  }
  switch (encoding) {
    case format::FrameEncoding::kRaw:
      if (body.size() != expected_raw) return corrupt("raw frame has the wrong size");
      if (body.data() != out->data()) out->assign(body.data(), body.size());
      return Status::Ok();
    case format::FrameEncoding::kZeros:
      if (!body.empty()) return corrupt("zero frame has a body");
      out->assign(expected_raw, '\0');
      return Status::Ok();
    case format::FrameEncoding::kZstd: {
      unsigned long long declared = ZSTD_getFrameContentSize(body.data(), body.size());
      if (declared != expected_raw) return corrupt("compressed frame declares the wrong size");
      out->resize(expected_raw);
      size_t n = ZSTD_decompressDCtx(Contexts().dctx, out->data(), expected_raw, body.data(), body.size());
      if (ZSTD_isError(n)) return corrupt(std::string("zstd: ") + ZSTD_getErrorName(n));
      if (n != expected_raw) return corrupt("decompressed to the wrong size");
      return Status::Ok();
    }
  }
  return corrupt("unknown encoding " + std::to_string(static_cast<int>(encoding_byte)));
}

}  // namespace strata
