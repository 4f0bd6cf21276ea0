// Reading a whole file version the way restore, cat and check need it: front to back, through the
// extent map, with the content hash checked after the last byte, so damage anywhere in the chain (a frame,
// a payload, a delta operation) is caught even where the frame checks alone would not notice it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace strata {

// Hands the content of `version` to `sink` in chunks of up to 1 MiB, then compares its content hash
// with the recorded one (a mismatch, or content shorter than recorded, is Corruption naming `what`).
// An error from `sink` stops the stream and is returned.
Status StreamVersion(Store* store, const ObjectId& version,
                     const std::function<Status(std::string_view)>& sink, const std::string& what);

}  // namespace strata
