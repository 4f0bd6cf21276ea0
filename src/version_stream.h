// Reading a whole file version the way restore, cat and check need it: front to back, through the
// extent map, with the content hash checked after the last byte, so damage anywhere in the chain (a frame,
// a payload, a delta operation) is caught even where the frame checks alone would not notice it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace strata {

// Hands the content of `version` to `sink` in chunks of up to 1 MiB, then compares its content hash
// with the recorded one (a mismatch, or content shorter than recorded, is Corruption naming `what`).
// `listed_size`, when given, is the size the file's tree entry records: the entry and the version record
// are separate objects, so a crafted store can make them disagree, which is Corruption before any byte
// reaches `sink`. An error from `sink` stops the stream and is returned.
Status StreamVersion(Store* store, const ObjectId& version, std::optional<uint64_t> listed_size,
                     const std::function<Status(std::string_view)>& sink, const std::string& what);

}  // namespace strata
