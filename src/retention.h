// Retention policies as a pure function of snapshot times, so the rules can be tested against
// hand-computed calendars without a store.
#pragma once

#include <cstdint>
#include <vector>

#include "strata/forget.h"

namespace strata {

// For each time of `times_ns` (ns since the epoch, oldest first as Store::ListSnapshots orders them;
// of equal times the later one counts as the newer), the keep_rule bits that keep it under `policy`;
// 0 means it goes.
std::vector<uint32_t> ApplyRetention(const std::vector<int64_t>& times_ns, const RetentionPolicy& policy);

}  // namespace strata
