#include "src/prune_plan.h"

#include <algorithm>
#include <unordered_set>

namespace strata {
namespace {

// What the entries of one pack that place used objects add up to.
struct Use {
  uint64_t stored = 0;
  uint64_t objects = 0;
};

bool IsUsed(const UsedObjects& used, const IndexEntry& e) {
  auto it = used.find(e.id);
  return it != used.end() && it->second == e.type;
}

}  // namespace

uint64_t PackSizeFor(uint64_t stored_bytes, uint64_t objects, uint64_t sealing) {
  return format::kPackHeaderSize + stored_bytes + objects * format::kIndexEntrySize + sealing +
         format::kPackFooterSize;
}

PrunePlan PlanPrune(const std::vector<PackContents>& packs, const UsedObjects& used,
                    double max_unused_percent, uint64_t sealing) {
  // Every entry of a used object counts for its pack at first: that ranks the packs for the choice below.
  std::vector<Use> all(packs.size());
  std::unordered_set<ObjectId, ObjectIdHash> unused_ids;
  for (size_t p = 0; p < packs.size(); p++) {
    for (const IndexEntry& e : packs[p].entries) {
      if (IsUsed(used, e)) {
        all[p].stored += e.stored_len;
        all[p].objects++;
      } else if (used.count(e.id) == 0) {
        unused_ids.insert(e.id);
      }
    }
  }
  auto share = [&](size_t p) {
    const uint64_t size = std::max<uint64_t>(packs[p].size, 1);
    return static_cast<double>(PackSizeFor(all[p].stored, all[p].objects, sealing)) /
           static_cast<double>(size);
  };
  auto better = [&](size_t a, size_t b) {
    const double sa = share(a);
    const double sb = share(b);
    if (sa != sb) return sa > sb;
    if (all[a].stored != all[b].stored) return all[a].stored > all[b].stored;
    return packs[a].id < packs[b].id;
  };
  // id -> (pack index, entry index) of the entry kept.
  std::unordered_map<ObjectId, std::pair<size_t, size_t>, ObjectIdHash> chosen;
  for (size_t p = 0; p < packs.size(); p++) {
    for (size_t i = 0; i < packs[p].entries.size(); i++) {
      const IndexEntry& e = packs[p].entries[i];
      if (!IsUsed(used, e)) continue;
      auto [it, fresh] = chosen.try_emplace(e.id, p, i);
      if (!fresh && it->second.first != p && better(p, it->second.first)) it->second = {p, i};
    }
  }

  PrunePlan plan;
  plan.objects_removed = unused_ids.size();
  for (const auto& [id, type] : used) {
    if (chosen.count(id) == 0) plan.missing.push_back(id);
  }
  std::sort(plan.missing.begin(), plan.missing.end());
  std::vector<std::vector<const IndexEntry*>> kept(packs.size());
  for (const auto& [id, where] : chosen)
    kept[where.first].push_back(&packs[where.first].entries[where.second]);
  for (size_t p = 0; p < packs.size(); p++) {
    std::vector<const IndexEntry*>& entries = kept[p];
    std::sort(entries.begin(), entries.end(),
              [](const IndexEntry* a, const IndexEntry* b) { return a->offset < b->offset; });
    uint64_t stored = 0;
    for (const IndexEntry* e : entries) stored += e->stored_len;
    const uint64_t needed = PackSizeFor(stored, entries.size(), sealing);
    const uint64_t unused = packs[p].size > needed ? packs[p].size - needed : 0;
    plan.bytes_unused += entries.empty() ? packs[p].size : unused;
    if (entries.empty()) {
      plan.deleted.push_back(packs[p].id);
    } else if (static_cast<double>(unused) * 100 >
               max_unused_percent * static_cast<double>(std::max<uint64_t>(packs[p].size, 1))) {
      plan.repacked.push_back(packs[p].id);
      for (const IndexEntry* e : entries) plan.copy.push_back(*e);
      plan.bytes_copied += stored;
    } else {
      for (const IndexEntry* e : entries) plan.keep.push_back(*e);
    }
  }
  return plan;
}

}  // namespace strata
