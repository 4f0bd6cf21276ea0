// Fuzzes FrameCodec::Decode on arbitrary stored bytes. The input is a frame without its check (encoding
// byte || body); the target appends the right check for a fixed salt, frame index and raw length, so
// every run reaches the encoding and size checks, zstd frames that lie about or overrun their declared
// size included. The input is also decoded as it is, check and all. The same encoded input is then sealed
// as an encrypted store's frame (strata-store(5), ENCRYPTION) under a fixed master key, and must decode
// exactly as the plain frame did; the input as it is must fail or decode to a whole frame there too.
#include <zstd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "store/coding.h"
#include "store/frame_codec.h"
#include "store/master_key.h"
#include "store/store_cipher.h"
#include "tests/fuzz/checksums.h"
#include "tests/fuzz/frame_params.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using strata::fuzz::kFrameIndex;
using strata::fuzz::kFrameRawLen;
using strata::fuzz::kFrameSalt;

const strata::FrameCodec& Codec() {
  static const strata::FrameCodec codec(1);
  return codec;
}

const strata::StoreCipher& Cipher() {
  static const std::unique_ptr<const strata::StoreCipher> cipher = [] {
    auto key = strata::SecretBytes::CopyOf(std::string(strata::format::kKeySize, '\x42'));
    auto master = strata::MasterKey::FromBytes(std::move(key).value());
    return std::move(strata::StoreCipher::FromMasterKey(*master)).value();
  }();
  return *cipher;
}

const strata::FrameCodec& SealedCodec() {
  static const strata::FrameCodec codec(1, &Cipher());
  return codec;
}

// Decoding replaces whatever `out` held, so it starts out holding something.
strata::Status Decode(std::string_view stored, std::string* out, const strata::FrameCodec& codec = Codec()) {
  out->assign(7, 'x');
  return codec.Decode(stored, kFrameSalt, kFrameIndex, kFrameRawLen, out, "fuzz frame");
}

// `encoded` (encoding byte || body) as an encrypted store stores it: the associated data is the salt, the
// frame index, the raw length and the encoding byte, as the man page defines it.
std::string Seal(std::string_view encoded) {
  std::string ad(reinterpret_cast<const char*>(kFrameSalt.data()), kFrameSalt.size());
  strata::PutFixed32(&ad, kFrameIndex);
  strata::PutFixed32(&ad, kFrameRawLen);
  ad.push_back(encoded[0]);
  std::string stored(1, encoded[0]);
  Cipher().SealFrame(ad, encoded.substr(1), &stored);
  return stored;
}

// What the documented encodings say `encoded` decodes to, computed with zstd's one-shot API into a buffer
// with room to spare, so a frame that decompresses past its declared size is seen to do so.
bool ExpectedRaw(std::string_view encoded, std::string* raw) {
  std::string_view body = encoded.substr(1);
  switch (encoded[0]) {
    case 0:
      raw->assign(body);
      return raw->size() == kFrameRawLen;
    case 1: {
      if (ZSTD_getFrameContentSize(body.data(), body.size()) != kFrameRawLen) return false;
      raw->resize(2 * kFrameRawLen);
      size_t n = ZSTD_decompress(raw->data(), raw->size(), body.data(), body.size());
      if (ZSTD_isError(n)) return false;
      raw->resize(n);
      return n == kFrameRawLen;
    }
    case 2:
      raw->assign(kFrameRawLen, '\0');
      return body.empty();
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string out;

  strata::Status as_is = Decode(input, &out);
  if (as_is.ok()) STRATA_FUZZ_CHECK(out.size() == kFrameRawLen);
  strata::Status sealed_as_is = Decode(input, &out, SealedCodec());
  STRATA_FUZZ_CHECK(sealed_as_is.ok() ? out.size() == kFrameRawLen : sealed_as_is.IsCorruption());

  if (input.empty()) return 0;
  std::string stored(input);
  stored += strata::fuzz::FrameCheck(kFrameSalt, kFrameIndex, kFrameRawLen, input);
  strata::Status s = Decode(stored, &out);
  std::string expected;
  const bool valid = ExpectedRaw(input, &expected);
  if (s.ok() != valid) {
    std::fprintf(stderr, "decode: %s, zstd oracle says %s\n", s.ok() ? "ok" : s.message().c_str(),
                 valid ? "valid" : "invalid");
  }
  STRATA_FUZZ_CHECK(s.ok() == valid);
  STRATA_FUZZ_CHECK(s.ok() || s.IsCorruption());
  if (s.ok()) STRATA_FUZZ_CHECK(out == expected);

  const std::string sealed = Seal(input);
  std::string opened;
  strata::Status e = Decode(sealed, &opened, SealedCodec());
  STRATA_FUZZ_CHECK(e.ok() == valid);
  STRATA_FUZZ_CHECK(e.ok() || e.IsCorruption());
  if (e.ok()) STRATA_FUZZ_CHECK(opened == expected);
  STRATA_FUZZ_CHECK(SealedCodec().IsZeroFrame(sealed, kFrameSalt, kFrameIndex, kFrameRawLen) ==
                    (input.size() == 1 && input[0] == 2));

  const bool zero = Codec().IsZeroFrame(stored, kFrameSalt, kFrameIndex, kFrameRawLen);
  STRATA_FUZZ_CHECK(zero == (input.size() == 1 && input[0] == 2));

  // A decoded frame encodes back into one that decodes to the same bytes.
  if (s.ok()) {
    std::string reencoded;
    Codec().Encode(out, kFrameSalt, kFrameIndex, &reencoded);
    STRATA_FUZZ_CHECK(reencoded.size() <= kFrameRawLen + strata::format::kFrameOverhead);
    std::string again;
    STRATA_FUZZ_CHECK(Decode(reencoded, &again).ok());
    STRATA_FUZZ_CHECK(again == out);
  }
  return 0;
}
