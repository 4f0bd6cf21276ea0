// The one serialization vocabulary of the store format: little-endian fixed-width integers, LEB128
// varints and length-prefixed byte strings. Nothing else in strata does manual byte fiddling, except for
// librsync's big-endian formats: delta streams are parsed in delta_ops.cc, signatures written in
// signature_builder.cc.
//
// Decoder treats its input as hostile: every read is bounds-checked and a short or malformed input turns
// the decoder into a failed state that callers report as Status::Corruption.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata {

void PutFixed8(std::string* dst, uint8_t v);
void PutFixed32(std::string* dst, uint32_t v);
void PutFixed64(std::string* dst, uint64_t v);
void PutVarint64(std::string* dst, uint64_t v);
// Zig-zag encoded signed varint (mtimes before 1970 are negative).
void PutVarsint64(std::string* dst, int64_t v);
void PutLengthPrefixed(std::string* dst, std::string_view bytes);

uint32_t DecodeFixed32(const char* p);
uint64_t DecodeFixed64(const char* p);
void EncodeFixed32(char* p, uint32_t v);
void EncodeFixed64(char* p, uint64_t v);

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}

  // Each getter returns false (and latches failure) if the input is short or malformed; after a failure
  // every further call fails too, so a caller may check ok() once at the end.
  bool GetFixed8(uint8_t* v);
  bool GetFixed32(uint32_t* v);
  bool GetFixed64(uint64_t* v);
  bool GetVarint64(uint64_t* v);
  bool GetVarint32(uint32_t* v);
  bool GetVarsint64(int64_t* v);
  // `max_len` bounds the declared length before anything is trusted.
  bool GetLengthPrefixed(std::string_view* v, uint64_t max_len = UINT64_MAX);
  bool GetBytes(size_t n, std::string_view* v);

  bool ok() const { return ok_; }
  bool done() const { return ok_ && in_.empty(); }
  size_t remaining() const { return in_.size(); }

 private:
  bool Fail() {
    ok_ = false;
    return false;
  }
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace strata
