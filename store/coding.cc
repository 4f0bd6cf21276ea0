#include "store/coding.h"

#include <cstring>

namespace strata {

void PutFixed8(std::string* dst, uint8_t v) { dst->push_back(static_cast<char>(v)); }

void EncodeFixed32(char* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

void EncodeFixed64(char* p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

uint32_t DecodeFixed32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

uint64_t DecodeFixed64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

void PutFixed32(std::string* dst, uint32_t v) {
  char buf[4];
  EncodeFixed32(buf, v);
  dst->append(buf, 4);
}

void PutFixed64(std::string* dst, uint64_t v) {
  char buf[8];
  EncodeFixed64(buf, v);
  dst->append(buf, 8);
}

void PutVarint64(std::string* dst, uint64_t v) {
  while (v >= 0x80) {
    dst->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  dst->push_back(static_cast<char>(v));
}

void PutVarsint64(std::string* dst, int64_t v) {
  PutVarint64(dst, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void PutLengthPrefixed(std::string* dst, std::string_view bytes) {
  PutVarint64(dst, bytes.size());
  dst->append(bytes.data(), bytes.size());
}

bool Decoder::GetFixed8(uint8_t* v) {
  if (!ok_ || in_.empty()) return Fail();
  *v = static_cast<uint8_t>(in_[0]);
  in_.remove_prefix(1);
  return true;
}

bool Decoder::GetFixed32(uint32_t* v) {
  if (!ok_ || in_.size() < 4) return Fail();
  *v = DecodeFixed32(in_.data());
  in_.remove_prefix(4);
  return true;
}

bool Decoder::GetFixed64(uint64_t* v) {
  if (!ok_ || in_.size() < 8) return Fail();
  *v = DecodeFixed64(in_.data());
  in_.remove_prefix(8);
  return true;
}

bool Decoder::GetVarint64(uint64_t* v) {
  if (!ok_) return false;
  uint64_t result = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    if (in_.empty()) return Fail();
    uint64_t byte = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && byte > 1) return Fail();
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return Fail();
}

bool Decoder::GetVarint32(uint32_t* v) {
  uint64_t x;
  if (!GetVarint64(&x)) return false;
  if (x > UINT32_MAX) return Fail();
  *v = static_cast<uint32_t>(x);
  return true;
}

bool Decoder::GetVarsint64(int64_t* v) {
  uint64_t x;
  if (!GetVarint64(&x)) return false;
  *v = static_cast<int64_t>((x >> 1) ^ (~(x & 1) + 1));
  return true;
}

bool Decoder::GetLengthPrefixed(std::string_view* v, uint64_t max_len) {
  uint64_t len;
  if (!GetVarint64(&len)) return false;
  if (len > max_len || len > in_.size()) return Fail();
  *v = in_.substr(0, len);
  in_.remove_prefix(len);
  return true;
}

bool Decoder::GetBytes(size_t n, std::string_view* v) {
  if (!ok_ || in_.size() < n) return Fail();
  *v = in_.substr(0, n);
  in_.remove_prefix(n);
  return true;
}

}  // namespace strata
