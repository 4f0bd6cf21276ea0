// Copying what a snapshot reaches into another store (strata sync) or a stream (sync --to-file): its
// trees, version records, delta bases, signatures and payloads, each before whatever refers to it, and
// each only if the target lacks it.
//
// Two stores that share their keys (both plain, or made one from the other by `strata init --from`) give
// an object the same id and open each other's frames, so objects go across verbatim: their stored bytes,
// never decoded. Otherwise ids are keyed differently, and every object is decoded and encoded again,
// its id derived in the target from the same inner hash, bottom up: payloads and signatures first, then
// version records and trees with their references translated.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "store/store.h"
#include "strata/progress.h"

namespace strata {

// Where the objects go.
class CopyTarget {
 public:
  virtual ~CopyTarget() = default;
  // The target holds object `id` (an id of its own), or has been sent it: nothing goes twice.
  virtual bool Has(const ObjectId& id) = 0;
  // The depth of a version record the target held before the copy, if it can read it.
  virtual std::optional<uint32_t> VersionDepth(const ObjectId& id) = 0;
  // Verbatim: the object as `src` stores it.
  virtual Status CopyStored(Store* src, const IndexEntry& entry) = 0;
  // Re-encoded: the object's bytes, streamed (Begin, Append..., then Finish under its id, or Abort).
  virtual Status Begin(format::ObjectType type) = 0;
  virtual Status Append(std::string_view raw) = 0;
  virtual Status Finish(const ObjectId& id) = 0;
  virtual Status Abort() = 0;
};

struct CopyCounts {
  uint64_t objects_sent = 0;
  uint64_t objects_present = 0;  // the target had them already
};

class SnapshotCopier {
 public:
  // `verbatim`: the target shares `src`'s keys (Store::KeyCheck). Otherwise `target_cipher` (null for a
  // plain target) keys the ids objects get there.
  SnapshotCopier(Store* src, CopyTarget* target, bool verbatim, const StoreCipher* target_cipher,
                 const CancelToken* cancel = nullptr);

  // Copies tree `tree` of `src` and everything it reaches that the target lacks; returns the tree's id in
  // the target. Recurses once per directory level and delta: call it on a deep stack (deep_stack.h).
  Result<ObjectId> CopyTree(const ObjectId& tree) { return CopyTree(tree, 0); }
  const CopyCounts& counts() const { return counts_; }
  // Called after every object sent.
  void set_on_object(std::function<void(const CopyCounts&)> fn) { on_object_ = std::move(fn); }

 private:
  Result<ObjectId> CopyTree(const ObjectId& id, size_t level);
  Result<ObjectId> CopyVersion(const ObjectId& id, size_t chain);
  Result<ObjectId> CopySignature(const ObjectId& id);
  // The payload of `v` (whose fields still name src's objects).
  Result<ObjectId> CopyPayload(const FileVersion& v);
  // Sends the decoded bytes of `payload` under the target id `to` (if `to` is null: under the keyed
  // hash of the bytes, unless the target has that id already); returns the id.
  Result<ObjectId> SendPayload(const IndexEntry& payload, std::optional<ObjectId> to);
  Status SendStored(const IndexEntry& entry);
  Status SendBytes(format::ObjectType type, const ObjectId& to, std::string_view bytes);
  Result<IndexEntry> Entry(const ObjectId& id, format::ObjectType type) const;
  // Remembers that `from` is `to` in the target, which had it already (`present`) or was sent it.
  ObjectId Done(const ObjectId& from, const ObjectId& to, bool present);
  ObjectId Derive(format::ObjectType type, const ObjectId& inner) const {
    return DeriveObjectId(type, inner, target_cipher_);
  }
  Status CheckCancel() const;

  Store* src_;
  CopyTarget* target_;
  bool verbatim_;
  const StoreCipher* target_cipher_;
  const CancelToken* cancel_;
  CopyCounts counts_;
  std::function<void(const CopyCounts&)> on_object_;
  std::unordered_map<ObjectId, ObjectId, ObjectIdHash> copied_;  // src id -> target id, every object seen
  std::unordered_map<ObjectId, uint32_t, ObjectIdHash> depths_;  // target version id -> depth, when sent
};

}  // namespace strata
