// Our own reader of the librsync wire formats, so a delta becomes an op list without ever reading the basis
// file and without running rs_patch. This is the only place strata decodes librsync's big-endian integers.
//
// A delta is turned into a list of ops over two byte spaces: COPY ops point into the basis (the previous
// version of the file), LITERAL ops point into the "literal stream", the concatenation of every literal
// byte of the delta in order. The literal stream is what we store as the new version's payload; the ops
// are stored in the version record (EncodeOps) and later composed into an ExtentMap.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"

namespace strata {

// Receives a stream of bytes in order, a chunk at a time. A non-OK status aborts the producer and is
// returned by it unchanged.
using ByteSink = std::function<Status(std::string_view)>;

struct DeltaOp {
  enum class Kind : uint8_t { kCopy, kLiteral };
  Kind kind;
  // kCopy: offset in the basis file. kLiteral: offset in the literal stream.
  uint64_t src_offset;
  uint64_t length;  // never 0

  bool operator==(const DeltaOp&) const = default;
};

// The fixed header of a librsync signature stream: u32be magic, block length, strong sum length. Blocks
// follow, each a u32be weak sum and the strong sum.
inline constexpr size_t kSignatureHeaderSize = 12;
struct SignatureHeader {
  uint32_t magic;
  uint32_t block_len;
  uint32_t strong_len;
};

// Reads the header only; the caller decides which values it accepts. Corruption if `signature` is shorter
// than the header.
Result<SignatureHeader> ParseSignatureHeader(std::string_view signature);

// Incremental parser of one librsync delta stream (RS_DELTA_MAGIC, commands, END). Bytes may arrive split
// at any point, one at a time included. Literal bytes are passed to the sink as they arrive, never
// buffered; only the op list grows, by one entry per op that does not continue the previous one.
//
// Every malformed input is Status::Corruption naming the byte offset: bad magic, a reserved opcode, a
// zero-length COPY or LITERAL, a parameter above INT64_MAX (rs_patch reads them as signed and rejects
// negative values), a COPY whose end overflows, bytes after END, a stream that stops before END. The
// first error is sticky: every later call returns it again.
//
// Not thread-safe; one parser per stream.
class DeltaParser {
 public:
  explicit DeltaParser(ByteSink literal_sink);

  Status Feed(std::string_view bytes);
  // Call once the stream has ended; Corruption unless END was the last thing seen.
  Status Finish();

  // Ops in new-file order; consecutive LITERALs, and COPYs continuing the previous COPY, are merged.
  const std::vector<DeltaOp>& ops() const { return ops_; }
  // Size of the file the delta produces, and of its literal stream.
  uint64_t new_size() const { return new_size_; }
  uint64_t literal_size() const { return literal_size_; }

 private:
  enum class State : uint8_t { kMagic, kOpcode, kParams, kLiteral, kEnd };

  Status Fail(const std::string& what);
  void ExpectParams(size_t bytes);
  Status OnParamsComplete();
  Status AddLiteral(uint64_t length);
  Status AddCopy(uint64_t offset, uint64_t length);

  ByteSink literal_sink_;
  Status error_;
  State state_ = State::kMagic;
  uint8_t opcode_ = 0;
  // Magic or the parameters of the current opcode, collected across Feed calls.
  uint8_t params_[16] = {};
  size_t params_need_ = 4;
  size_t params_have_ = 0;
  uint64_t literal_left_ = 0;
  uint64_t stream_pos_ = 0;  // bytes consumed, for error messages
  std::vector<DeltaOp> ops_;
  uint64_t new_size_ = 0;
  uint64_t literal_size_ = 0;
};

// Compact encoding of an op list for a file version record. Preconditions, met by what DeltaParser and
// DecodeOps produce: lengths are below 2^63, and LITERAL ops consume the literal stream in order from 0
// because their offsets are implied.
void EncodeOps(const std::vector<DeltaOp>& ops, std::string* dst);

// Decodes and validates hostile input: every op has length > 0, the ops produce exactly `new_size` bytes,
// every COPY lies within [0, base_size), and the LITERALs consume the literal stream in order up to exactly
// `literal_size`. Memory is bounded by the input: each op takes at least one input byte. Corruption on any
// violation or trailing bytes.
Result<std::vector<DeltaOp>> DecodeOps(std::string_view encoded, uint64_t new_size, uint64_t base_size,
                                       uint64_t literal_size);

}  // namespace strata
