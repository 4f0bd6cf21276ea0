#include "src/version_stream.h"

#include "store/signature_builder.h"

namespace strata {
namespace {
constexpr size_t kChunk = 1 << 20;
}  // namespace

Status StreamVersion(Store* store, const ObjectId& version, std::optional<uint64_t> listed_size,
                     const std::function<Status(std::string_view)>& sink, const std::string& what) {
  STRATA_ASSIGN_OR_RETURN(FileVersion v, store->LoadVersion(version));
  if (listed_size && *listed_size != v.size) return ListedSizeMismatch(*listed_size, version, v.size, "");
  ContentHasher hasher(v.hash_block_len);
  std::string buf;
  for (uint64_t off = 0; off < v.size; off += kChunk) {
    STRATA_RETURN_IF_ERROR(store->ReadVersion(version, off, kChunk, &buf));
    if (buf.empty()) return Status::Corruption(what + ": content is shorter than recorded");
    hasher.Update(buf);
    STRATA_RETURN_IF_ERROR(sink(buf));
  }
  if (hasher.Finish() != v.content_hash) return Status::Corruption(what + ": content hash mismatch");
  return Status::Ok();
}

}  // namespace strata
