// Retention policies against hand-worked calendars. The times are written as UTC dates and turned into
// nanoseconds with timegm(3), and every expected keep was worked out by hand from a calendar (weekdays
// noted beside the dates), not from the code.
#include "src/retention.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

namespace strata {
namespace {

using namespace keep_rule;

// "2026-11-22 10:15:30" as ns since the epoch, UTC.
int64_t At(const char* utc) {
  struct tm tm = {};
  EXPECT_EQ(6, std::sscanf(utc, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                           &tm.tm_min, &tm.tm_sec))
      << utc;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return int64_t{timegm(&tm)} * 1000000000;
}

std::vector<int64_t> Times(const std::vector<const char*>& utc) {
  std::vector<int64_t> out;
  out.reserve(utc.size());
  for (const char* t : utc) out.push_back(At(t));
  return out;
}

TEST(RetentionTest, KeepLastKeepsTheNewest) {
  const auto times = Times({"2026-11-01 10:00:00", "2026-11-02 10:00:00", "2026-11-03 10:00:00",
                            "2026-11-04 10:00:00", "2026-11-05 10:00:00"});
  EXPECT_EQ(ApplyRetention(times, {.keep_last = 3}), (std::vector<uint32_t>{0, 0, kLast, kLast, kLast}));
}

TEST(RetentionTest, CountsLargerThanTheHistoryKeepEverythingTheyCan) {
  const auto times = Times({"2026-11-01 10:00:00", "2026-11-01 11:00:00", "2026-11-02 10:00:00"});
  EXPECT_EQ(ApplyRetention(times, {.keep_last = 10}), (std::vector<uint32_t>{kLast, kLast, kLast}));
  // Two days have snapshots: of the first, only its newest is kept.
  EXPECT_EQ(ApplyRetention(times, {.keep_daily = 10}), (std::vector<uint32_t>{0, kDaily, kDaily}));
}

TEST(RetentionTest, AnEmptyPolicyOrHistoryKeepsNothing) {
  const auto times = Times({"2026-11-01 10:00:00", "2026-11-02 10:00:00"});
  EXPECT_EQ(ApplyRetention(times, {}), (std::vector<uint32_t>{0, 0}));
  EXPECT_TRUE(ApplyRetention({}, {.keep_last = 3, .keep_daily = 3}).empty());
}

TEST(RetentionTest, DailyKeepsTheNewestOfEachUtcDay) {
  const auto times = Times({"2026-11-20 08:00:00", "2026-11-20 20:00:00", "2026-11-21 09:00:00",
                            "2026-11-21 23:59:59", "2026-11-22 00:00:00"});
  EXPECT_EQ(ApplyRetention(times, {.keep_daily = 2}), (std::vector<uint32_t>{0, 0, 0, kDaily, kDaily}));
  EXPECT_EQ(ApplyRetention(times, {.keep_daily = 3}), (std::vector<uint32_t>{0, kDaily, 0, kDaily, kDaily}));
}

TEST(RetentionTest, GapsUseUpNoCount) {
  // Nothing between the 5th and the 20th: the two most recent days with a snapshot are the 20th and 5th.
  const auto times = Times({"2026-11-01 12:00:00", "2026-11-05 12:00:00", "2026-11-20 12:00:00"});
  EXPECT_EQ(ApplyRetention(times, {.keep_daily = 2}), (std::vector<uint32_t>{0, kDaily, kDaily}));
  EXPECT_EQ(ApplyRetention(times, {.keep_hourly = 2}), (std::vector<uint32_t>{0, kHourly, kHourly}));
}

TEST(RetentionTest, HourlyKeepsTheNewestOfEachHour) {
  const auto times =
      Times({"2026-11-22 10:00:00", "2026-11-22 10:59:59", "2026-11-22 11:00:00", "2026-11-22 13:30:00"});
  EXPECT_EQ(ApplyRetention(times, {.keep_hourly = 3}), (std::vector<uint32_t>{0, kHourly, kHourly, kHourly}));
}

TEST(RetentionTest, TiesCountTheLaterListedAsNewer) {
  const auto times = Times({"2026-11-22 10:00:00", "2026-11-22 10:00:00"});
  EXPECT_EQ(ApplyRetention(times, {.keep_last = 1}), (std::vector<uint32_t>{0, kLast}));
  EXPECT_EQ(ApplyRetention(times, {.keep_last = 2}), (std::vector<uint32_t>{kLast, kLast}));
  // One day, one hour: one snapshot kept for each, the same one.
  EXPECT_EQ(ApplyRetention(times, {.keep_hourly = 5, .keep_daily = 5}),
            (std::vector<uint32_t>{0, kHourly | kDaily}));
}

TEST(RetentionTest, WeeksAreIsoWeeksAcrossTheYearEnd) {
  const auto times = Times({
      "2024-12-29 12:00:00",  // Sunday: 2024-W52
      "2024-12-30 12:00:00",  // Monday: 2025-W01
      "2025-01-01 12:00:00",  // Wednesday: 2025-W01
      "2025-01-05 12:00:00",  // Sunday: 2025-W01
      "2025-01-06 12:00:00",  // Monday: 2025-W02
  });
  EXPECT_EQ(ApplyRetention(times, {.keep_weekly = 3}),
            (std::vector<uint32_t>{kWeekly, 0, 0, kWeekly, kWeekly}));
  // Years are calendar years: the week that spans the new year does not matter to them.
  EXPECT_EQ(ApplyRetention(times, {.keep_yearly = 3}), (std::vector<uint32_t>{0, kYearly, 0, 0, kYearly}));
}

TEST(RetentionTest, AWeek53SpansTwoCalendarYears) {
  const auto times = Times({
      "2020-12-27 12:00:00",  // Sunday: 2020-W52
      "2020-12-28 12:00:00",  // Monday: 2020-W53
      "2021-01-03 12:00:00",  // Sunday: 2020-W53
      "2021-01-04 00:00:00",  // Monday: 2021-W01
  });
  EXPECT_EQ(ApplyRetention(times, {.keep_weekly = 5}), (std::vector<uint32_t>{kWeekly, 0, kWeekly, kWeekly}));
}

TEST(RetentionTest, WeeksBefore1970) {
  const auto times = Times({
      "1969-12-28 12:00:00",  // Sunday
      "1969-12-29 12:00:00",  // Monday, the week of 1970-01-01
      "1970-01-01 12:00:00",  // Thursday
  });
  EXPECT_EQ(ApplyRetention(times, {.keep_weekly = 5}), (std::vector<uint32_t>{kWeekly, 0, kWeekly}));
  EXPECT_EQ(ApplyRetention(times, {.keep_daily = 5}), (std::vector<uint32_t>{kDaily, kDaily, kDaily}));
}

TEST(RetentionTest, MonthsAndYears) {
  const auto times =
      Times({"2025-12-31 23:59:59", "2026-01-31 23:59:59", "2026-02-01 00:00:00", "2026-02-28 18:00:00"});
  EXPECT_EQ(ApplyRetention(times, {.keep_monthly = 2}), (std::vector<uint32_t>{0, kMonthly, 0, kMonthly}));
  EXPECT_EQ(ApplyRetention(times, {.keep_yearly = 2}), (std::vector<uint32_t>{kYearly, 0, 0, kYearly}));
}

TEST(RetentionTest, EachKeptSnapshotListsEveryRuleThatKeepsIt) {
  // 2026-11-01 is a Sunday: the 1st, the 2nd..8th and the 9th..10th are three ISO weeks.
  std::vector<int64_t> times;
  for (int day = 1; day <= 10; day++) {
    times.push_back(At(("2026-11-" + std::to_string(100 + day).substr(1) + " 12:00:00").c_str()));
  }
  const RetentionPolicy policy{
      .keep_last = 2, .keep_daily = 3, .keep_weekly = 2, .keep_monthly = 2, .keep_yearly = 5};
  std::vector<uint32_t> expected(10, 0);
  expected[9] = kLast | kDaily | kWeekly | kMonthly | kYearly;  // the 10th
  expected[8] = kLast | kDaily;                                 // the 9th, same week as the 10th
  expected[7] = kDaily | kWeekly;                               // the 8th, a Sunday
  EXPECT_EQ(ApplyRetention(times, policy), expected);
  EXPECT_EQ(KeepRuleNames(expected[9]),
            (std::vector<std::string>{"last", "daily", "weekly", "monthly", "yearly"}));
  EXPECT_EQ(KeepRuleNames(expected[7]), (std::vector<std::string>{"daily", "weekly"}));
  EXPECT_TRUE(KeepRuleNames(0).empty());
}

TEST(RetentionTest, TheOrderOfTheInputDoesNotMatter) {
  const auto times =
      Times({"2026-11-21 09:00:00", "2026-11-22 00:00:00", "2026-11-20 08:00:00", "2026-11-21 23:59:59"});
  EXPECT_EQ(ApplyRetention(times, {.keep_last = 1, .keep_daily = 2}),
            (std::vector<uint32_t>{0, kLast | kDaily, 0, kDaily}));
}

}  // namespace
}  // namespace strata
