#include "src/retention.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <optional>
#include <string>
#include <utility>

namespace strata {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::hours;
using std::chrono::nanoseconds;
using std::chrono::sys_days;
using std::chrono::sys_time;
using std::chrono::year_month_day;

sys_time<nanoseconds> TimeOf(int64_t ns) { return sys_time<nanoseconds>(nanoseconds(ns)); }

int64_t DayOf(int64_t ns) { return floor<days>(TimeOf(ns)).time_since_epoch().count(); }

int64_t HourOf(int64_t ns) { return floor<hours>(TimeOf(ns)).time_since_epoch().count(); }

// Day 0 (1970-01-01) was a Thursday: shifted by three days, weeks start on Mondays, as ISO weeks do, so
// 2024-12-31 and 2025-01-01 fall in one week (2025-W01). Floor division keeps that true before 1970.
int64_t WeekOf(int64_t ns) {
  const int64_t d = DayOf(ns) + 3;
  return d >= 0 ? d / 7 : -((-d + 6) / 7);
}

year_month_day DateOf(int64_t ns) { return year_month_day(sys_days(days(DayOf(ns)))); }

int64_t MonthOf(int64_t ns) {
  const year_month_day date = DateOf(ns);
  return int64_t{static_cast<int>(date.year())} * 12 + static_cast<unsigned>(date.month()) - 1;
}

int64_t YearOf(int64_t ns) { return static_cast<int>(DateOf(ns).year()); }

struct Rule {
  uint32_t bit;
  uint32_t count;
  int64_t (*period)(int64_t ns);  // null: every snapshot is a period of its own (keep_last)
};

}  // namespace

std::vector<uint32_t> ApplyRetention(const std::vector<int64_t>& times_ns, const RetentionPolicy& policy) {
  std::vector<size_t> newest_first(times_ns.size());
  std::iota(newest_first.begin(), newest_first.end(), size_t{0});
  std::sort(newest_first.begin(), newest_first.end(), [&](size_t a, size_t b) {
    return times_ns[a] != times_ns[b] ? times_ns[a] > times_ns[b] : a > b;
  });
  const Rule rules[] = {
      {keep_rule::kLast, policy.keep_last, nullptr},       {keep_rule::kHourly, policy.keep_hourly, HourOf},
      {keep_rule::kDaily, policy.keep_daily, DayOf},       {keep_rule::kWeekly, policy.keep_weekly, WeekOf},
      {keep_rule::kMonthly, policy.keep_monthly, MonthOf}, {keep_rule::kYearly, policy.keep_yearly, YearOf},
  };
  std::vector<uint32_t> kept(times_ns.size(), 0);
  for (const Rule& rule : rules) {
    uint32_t left = rule.count;
    std::optional<int64_t> last_period;
    for (size_t i = 0; i < newest_first.size() && left > 0; i++) {
      const size_t s = newest_first[i];
      // Newest first, periods only ever decrease: the first snapshot of a new period is its newest.
      const int64_t period = rule.period != nullptr ? rule.period(times_ns[s]) : -static_cast<int64_t>(i);
      if (last_period == period) continue;
      last_period = period;
      kept[s] |= rule.bit;
      left--;
    }
  }
  return kept;
}

std::vector<std::string> KeepRuleNames(uint32_t rules) {
  static constexpr std::pair<uint32_t, const char*> kNames[] = {
      {keep_rule::kLast, "last"},     {keep_rule::kHourly, "hourly"},   {keep_rule::kDaily, "daily"},
      {keep_rule::kWeekly, "weekly"}, {keep_rule::kMonthly, "monthly"}, {keep_rule::kYearly, "yearly"},
  };
  std::vector<std::string> out;
  for (const auto& [bit, name] : kNames) {
    if ((rules & bit) != 0) out.emplace_back(name);
  }
  return out;
}

}  // namespace strata
