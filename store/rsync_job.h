// Streaming librsync delta jobs over in-memory chunks (push mode, no FILE*). Signatures are computed by
// SignatureBuilder (signature_builder.h), which shares its block digests with the content hash.
//
// librsync stays behind this header: callers see Status values, and every delta byte librsync emits goes
// straight into a DeltaParser, so a backup turns a changed file into ops plus a literal stream in one pass
// without keeping the delta. Memory per job is bounded: fixed 256 KiB buffers, librsync's own buffers of a
// few blocks, and for deltas the loaded signature (about 60 bytes per basis block) and the op list.
//
// Jobs are not thread-safe; run independent jobs on different threads (librsync parallelises no job).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/delta_ops.h"
#include "store/signature_builder.h"
#include "store/status.h"

namespace strata {

// Computes the delta of a new file against a stored signature and parses it as it streams.
class DeltaBuilder {
 public:
  // `signature` is a stream SignatureBuilder made; it is copied into librsync's own structures, so it need
  // not outlive Create. Header values SignatureBuilder cannot produce (another magic or strong sum length,
  // block length 0 or above 65536, a body that is not whole blocks) are Corruption, so stored garbage never
  // reaches librsync's asserts. A header without blocks (0-byte basis) gives an all-LITERAL delta.
  //
  // `literal_sink` receives the literal stream in order. `raw_delta_sink`, if set, also receives the raw
  // delta stream, for checking against rs_patch.
  static Result<DeltaBuilder> Create(std::string_view signature, ByteSink literal_sink,
                                     ByteSink raw_delta_sink = nullptr);

  DeltaBuilder(DeltaBuilder&&) noexcept;
  DeltaBuilder& operator=(DeltaBuilder&&) noexcept;
  ~DeltaBuilder();

  Status Update(std::string_view new_data);
  // Flushes the delta. The results below are valid once this returns OK. Errors are sticky: every later
  // call returns the first one again; a sink's error is returned unchanged.
  Status Finish();

  // Merged ops, as DeltaParser defines them; COPY offsets are basis offsets.
  const std::vector<DeltaOp>& ops() const;
  uint64_t new_size() const;
  uint64_t literal_size() const;

 private:
  struct State;
  explicit DeltaBuilder(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace strata
