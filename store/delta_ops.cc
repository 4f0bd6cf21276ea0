#include "store/delta_ops.h"

#include <librsync.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "store/coding.h"

namespace strata {
namespace {

// Opcode layout of librsync 2.3.2 (prototab.c); everything above kOpCopyLast is reserved.
constexpr uint8_t kOpEnd = 0x00;
constexpr uint8_t kOpLiteralImmediateLast = 0x40;  // 0x01..0x40: the opcode is the length
constexpr uint8_t kOpLiteralN1 = 0x41;             // 0x41..0x44: length follows in 1, 2, 4 or 8 bytes
constexpr uint8_t kOpLiteralN8 = 0x44;
constexpr uint8_t kOpCopyFirst = 0x45;  // 0x45..0x54: offset width (k / 4), length width (k % 4)
constexpr uint8_t kOpCopyLast = 0x54;
constexpr size_t kWidths[4] = {1, 2, 4, 8};

// rs_patch reads parameters as signed 64-bit and rejects negative ones; holding every offset, length and
// total to this bound keeps us in agreement with it and makes sums of two values overflow-free.
constexpr uint64_t kMaxValue = INT64_MAX;

uint64_t ReadBigEndian(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; i++) v = (v << 8) | p[i];
  return v;
}

std::string Hex(uint8_t opcode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02" PRIx8, opcode);
  return buf;
}

}  // namespace

Result<SignatureHeader> ParseSignatureHeader(std::string_view signature) {
  if (signature.size() < kSignatureHeaderSize) {
    return Status::Corruption("librsync signature: " + std::to_string(signature.size()) +
                              " bytes, shorter than its 12-byte header");
  }
  const auto* p = reinterpret_cast<const uint8_t*>(signature.data());
  return SignatureHeader{static_cast<uint32_t>(ReadBigEndian(p, 4)),
                         static_cast<uint32_t>(ReadBigEndian(p + 4, 4)),
                         static_cast<uint32_t>(ReadBigEndian(p + 8, 4))};
}

DeltaParser::DeltaParser(ByteSink literal_sink) : literal_sink_(std::move(literal_sink)) {}

Status DeltaParser::Fail(const std::string& what) {
  error_ =
      Status::Corruption("librsync delta: " + what + " (after " + std::to_string(stream_pos_) + " bytes)");
  return error_;
}

Status DeltaParser::Feed(std::string_view bytes) {
  if (!error_.ok()) return error_;
  while (!bytes.empty()) {
    switch (state_) {
      case State::kMagic:
      case State::kParams: {
        size_t n = std::min(params_need_ - params_have_, bytes.size());
        std::memcpy(params_ + params_have_, bytes.data(), n);
        params_have_ += n;
        stream_pos_ += n;
        bytes.remove_prefix(n);
        if (params_have_ == params_need_) STRATA_RETURN_IF_ERROR(OnParamsComplete());
        break;
      }
      case State::kOpcode: {
        opcode_ = static_cast<uint8_t>(bytes[0]);
        stream_pos_++;
        bytes.remove_prefix(1);
        if (opcode_ == kOpEnd) {
          state_ = State::kEnd;
        } else if (opcode_ <= kOpLiteralImmediateLast) {
          STRATA_RETURN_IF_ERROR(AddLiteral(opcode_));
        } else if (opcode_ <= kOpLiteralN8) {
          ExpectParams(kWidths[opcode_ - kOpLiteralN1]);
        } else if (opcode_ <= kOpCopyLast) {
          size_t k = opcode_ - kOpCopyFirst;
          ExpectParams(kWidths[k / 4] + kWidths[k % 4]);
        } else {
          return Fail("reserved opcode " + Hex(opcode_));
        }
        break;
      }
      case State::kLiteral: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(literal_left_, bytes.size()));
        Status s = literal_sink_(bytes.substr(0, n));
        if (!s.ok()) {
          error_ = s;
          return s;
        }
        literal_left_ -= n;
        stream_pos_ += n;
        bytes.remove_prefix(n);
        if (literal_left_ == 0) state_ = State::kOpcode;
        break;
      }
      case State::kEnd:
        return Fail("bytes after END");
    }
  }
  return Status::Ok();
}

void DeltaParser::ExpectParams(size_t bytes) {
  params_need_ = bytes;
  params_have_ = 0;
  state_ = State::kParams;
}

Status DeltaParser::OnParamsComplete() {
  if (state_ == State::kMagic) {
    if (ReadBigEndian(params_, 4) != RS_DELTA_MAGIC) return Fail("bad magic (not a librsync delta)");
    state_ = State::kOpcode;
    return Status::Ok();
  }
  if (opcode_ <= kOpLiteralN8) return AddLiteral(ReadBigEndian(params_, params_need_));
  size_t k = opcode_ - kOpCopyFirst;
  size_t where_width = kWidths[k / 4];
  return AddCopy(ReadBigEndian(params_, where_width),
                 ReadBigEndian(params_ + where_width, params_need_ - where_width));
}

Status DeltaParser::AddLiteral(uint64_t length) {
  if (length == 0) return Fail("zero-length LITERAL");
  if (length > kMaxValue - new_size_) return Fail("LITERAL makes the new file larger than 2^63-1 bytes");
  if (!ops_.empty() && ops_.back().kind == DeltaOp::Kind::kLiteral) {
    ops_.back().length += length;
  } else {
    ops_.push_back({DeltaOp::Kind::kLiteral, literal_size_, length});
  }
  new_size_ += length;
  literal_size_ += length;
  literal_left_ = length;
  state_ = State::kLiteral;
  return Status::Ok();
}

Status DeltaParser::AddCopy(uint64_t offset, uint64_t length) {
  if (length == 0) return Fail("zero-length COPY");
  if (offset > kMaxValue || length > kMaxValue - offset) {
    return Fail("COPY offset " + std::to_string(offset) + " length " + std::to_string(length) + " overflows");
  }
  if (length > kMaxValue - new_size_) return Fail("COPY makes the new file larger than 2^63-1 bytes");
  DeltaOp* last = ops_.empty() ? nullptr : &ops_.back();
  if (last != nullptr && last->kind == DeltaOp::Kind::kCopy && last->src_offset + last->length == offset) {
    last->length += length;
  } else {
    ops_.push_back({DeltaOp::Kind::kCopy, offset, length});
  }
  new_size_ += length;
  state_ = State::kOpcode;
  return Status::Ok();
}

Status DeltaParser::Finish() {
  if (!error_.ok()) return error_;
  switch (state_) {
    case State::kEnd:
      return Status::Ok();
    case State::kMagic:
      return Fail("stream ends inside the magic number");
    case State::kParams:
      return Fail("stream ends inside the parameters of opcode " + Hex(opcode_));
    case State::kLiteral:
      return Fail("stream ends " + std::to_string(literal_left_) + " bytes short inside a LITERAL");
    case State::kOpcode:
      break;
  }
  return Fail("stream ends without END");
}

// Each op is varint(length << 1 | is_literal); a COPY adds its offset as a signed varint relative to where
// the previous COPY ended, because after an edit the next match usually resumes a little further on, so
// the offset costs one or two bytes instead of up to ten.
void EncodeOps(const std::vector<DeltaOp>& ops, std::string* dst) {
  uint64_t next_copy = 0;
  for (const DeltaOp& op : ops) {
    bool literal = op.kind == DeltaOp::Kind::kLiteral;
    PutVarint64(dst, (op.length << 1) | (literal ? 1 : 0));
    if (!literal) {
      PutVarsint64(dst, static_cast<int64_t>(op.src_offset - next_copy));
      next_copy = op.src_offset + op.length;
    }
  }
}

Result<std::vector<DeltaOp>> DecodeOps(std::string_view encoded, uint64_t new_size, uint64_t base_size,
                                       uint64_t literal_size) {
  Decoder in(encoded);
  std::vector<DeltaOp> ops;
  uint64_t produced = 0;
  uint64_t literal_pos = 0;
  uint64_t next_copy = 0;
  while (in.remaining() > 0) {
    auto error = [&](const std::string& what) {
      return Status::Corruption("delta op list: op " + std::to_string(ops.size()) + ": " + what);
    };
    uint64_t tag;
    if (!in.GetVarint64(&tag)) return error("truncated");
    uint64_t length = tag >> 1;
    if (length == 0) return error("zero length");
    if (length > new_size - produced) return error("runs past the file size " + std::to_string(new_size));
    if ((tag & 1) != 0) {
      if (length > literal_size - literal_pos) {
        return error("reads past the literal stream of " + std::to_string(literal_size) + " bytes");
      }
      ops.push_back({DeltaOp::Kind::kLiteral, literal_pos, length});
      literal_pos += length;
    } else {
      int64_t relative;
      if (!in.GetVarsint64(&relative)) return error("truncated COPY offset");
      uint64_t offset = next_copy + static_cast<uint64_t>(relative);
      if (offset > base_size || length > base_size - offset) {
        return error("COPY [" + std::to_string(offset) + ", +" + std::to_string(length) + ") outside the " +
                     std::to_string(base_size) + "-byte basis");
      }
      ops.push_back({DeltaOp::Kind::kCopy, offset, length});
      next_copy = offset + length;
    }
    produced += length;
  }
  if (produced != new_size) {
    return Status::Corruption("delta op list: produces " + std::to_string(produced) + " bytes, expected " +
                              std::to_string(new_size));
  }
  if (literal_pos != literal_size) {
    return Status::Corruption("delta op list: uses " + std::to_string(literal_pos) + " of " +
                              std::to_string(literal_size) + " literal bytes");
  }
  return ops;
}

}  // namespace strata
