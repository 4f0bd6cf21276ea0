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

Check FrameCheck(const Salt& salt, uint32_t frame_index, size_t raw_len, std::string_view encoded) {
  char prefix[format::kSaltSize + 8];
  std::memcpy(prefix, salt.data(), salt.size());
  EncodeFixed32(prefix + format::kSaltSize, frame_index);
  EncodeFixed32(prefix + format::kSaltSize + 4, static_cast<uint32_t>(raw_len));
  return Xxh128({std::string_view(prefix, sizeof prefix), encoded});
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
  size_t start = out->size();
  if (!raw.empty() && IsAllZero(raw)) {
    out->push_back(static_cast<char>(format::FrameEncoding::kZeros));
    Check check = FrameCheck(salt, frame_index, raw.size(), std::string_view(out->data() + start, 1));
    out->append(reinterpret_cast<const char*>(check.data()), check.size());
    return;
  }
  size_t bound = ZSTD_compressBound(raw.size());
  out->resize(start + 1 + bound);
  char* body = out->data() + start + 1;
  size_t n = ZSTD_compressCCtx(Contexts().cctx, body, bound, raw.data(), raw.size(), level_);
  if (!ZSTD_isError(n) && n < raw.size()) {
    (*out)[start] = static_cast<char>(format::FrameEncoding::kZstd);
    out->resize(start + 1 + n);
  } else {
    (*out)[start] = static_cast<char>(format::FrameEncoding::kRaw);
    out->resize(start + 1);
    out->append(raw.data(), raw.size());
  }
  Check check =
      FrameCheck(salt, frame_index, raw.size(), std::string_view(out->data() + start, out->size() - start));
  out->append(reinterpret_cast<const char*>(check.data()), check.size());
}

bool FrameCodec::IsZeroFrame(std::string_view stored, const Salt& salt, uint32_t frame_index,
                             size_t expected_raw) const {
  if (stored.size() != format::kFrameOverhead ||
      stored[0] != static_cast<char>(format::FrameEncoding::kZeros)) {
    return false;
  }
  Check expected = FrameCheck(salt, frame_index, expected_raw, stored.substr(0, 1));
  return sodium_memcmp(expected.data(), stored.data() + 1, format::kFrameCheckSize) == 0;
}

Status FrameCodec::Decode(std::string_view stored, const Salt& salt, uint32_t frame_index,
                          size_t expected_raw, std::string* out, const std::string& what) const {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption(what + ": frame " + std::to_string(frame_index) + ": " + why);
  };
  if (stored.size() < format::kFrameOverhead) return corrupt("too short");
  std::string_view encoded = stored.substr(0, stored.size() - format::kFrameCheckSize);
  std::string_view check = stored.substr(encoded.size());
  Check expected = FrameCheck(salt, frame_index, expected_raw, encoded);
  if (sodium_memcmp(expected.data(), check.data(), format::kFrameCheckSize) != 0) {
    return corrupt("checksum mismatch");
  }
  auto encoding = static_cast<format::FrameEncoding>(encoded[0]);
  std::string_view body = encoded.substr(1);
  switch (encoding) {
    case format::FrameEncoding::kRaw:
      if (body.size() != expected_raw) return corrupt("raw frame has the wrong size");
      out->assign(body.data(), body.size());
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
  return corrupt("unknown encoding " + std::to_string(static_cast<int>(encoded[0])));
}

}  // namespace strata
