// File version records: how to rebuild one file content. FULL points at a data object holding the
// content; DELTA points at a base version, a data object holding the delta's literal bytes, and the
// delta's COPY/LITERAL operations (parsed from the librsync delta at backup time). The record's object
// id is derived from the content hash, so identical content anywhere in the store has one record.
// See strata-store(5), "File version records".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/object_id.h"
#include "store/status.h"

namespace strata {

struct FileVersion {
  enum class Kind : uint8_t { kFull = 1, kDelta = 2 };
  Kind kind = Kind::kFull;
  uint64_t size = 0;
  ObjectId content_hash;           // see signature_builder.h: a hash over per-block BLAKE2b-256 digests
  uint32_t hash_block_len = 1024;  // the block length of that hash and of the signature
  ObjectId signature;              // signature object of this content
  ObjectId payload;                // FULL: the content; DELTA: the literal stream
  // DELTA only:
  ObjectId base;       // version this delta applies to
  uint32_t depth = 0;  // 0 for FULL, base depth + 1 for DELTA
  uint64_t literal_size = 0;
  std::string ops;  // EncodeOps() of the delta's operations

  std::string Encode() const;
  static Result<FileVersion> Decode(std::string_view bytes, const std::string& what);
};

// A tree entry records its file's size and its version record records it again; a crafted store can make
// them disagree. The Corruption every reader reports then, naming the version and, if not empty, `what`.
Status ListedSizeMismatch(uint64_t listed_size, const ObjectId& version, uint64_t version_size,
                          const std::string& what);

}  // namespace strata
