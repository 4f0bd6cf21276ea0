// Forgetting snapshots (Repository::Forget): the snapshots named, or those a retention policy does not
// keep. Forgetting removes a snapshot's manifest only; the data it alone needed stays in the store until a
// prune removes it, so a forget is quick and frees nothing by itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strata/browse.h"

namespace strata {

// As restic and borg keep: the newest `keep_last` snapshots, and for each kind of period the newest
// snapshot of each of the `keep_<period>` most recent periods that have a snapshot (periods without one
// count for nothing, so a gap never uses up the count). Periods are UTC hours, days, ISO weeks (Monday to
// Sunday, so a week can span two years), months and years. A snapshot kept by any rule is kept. Zero
// disables a rule; a policy of zeros keeps nothing.
struct RetentionPolicy {
  uint32_t keep_last = 0;
  uint32_t keep_hourly = 0;
  uint32_t keep_daily = 0;
  uint32_t keep_weekly = 0;
  uint32_t keep_monthly = 0;
  uint32_t keep_yearly = 0;
};

// The rules that keep a snapshot, as bits of KeptSnapshot::rules.
namespace keep_rule {
inline constexpr uint32_t kLast = 1;
inline constexpr uint32_t kHourly = 2;
inline constexpr uint32_t kDaily = 4;
inline constexpr uint32_t kWeekly = 8;
inline constexpr uint32_t kMonthly = 16;
inline constexpr uint32_t kYearly = 32;
}  // namespace keep_rule

// "last", "hourly", "daily", "weekly", "monthly", "yearly": one per bit set, in that order.
std::vector<std::string> KeepRuleNames(uint32_t rules);

// Either `snapshots` (references as everywhere: id, id prefix, name, "latest") or a `policy`, not both.
struct ForgetRequest {
  std::vector<std::string> snapshots;
  std::optional<RetentionPolicy> policy;
  bool dry_run = false;  // decide and report, remove nothing, take no lock
  bool force = false;    // let a policy keep none of the snapshots
};

struct KeptSnapshot {
  Snapshot snapshot;
  uint32_t rules = 0;  // keep_rule bits; 0 when snapshots were named and this one was not
};

// Both lists oldest first.
struct ForgetResult {
  std::vector<KeptSnapshot> kept;
  std::vector<Snapshot> forgotten;  // removed, or with dry_run the ones that would be
};

}  // namespace strata
