#include "store/lmdb_page_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace strata {
namespace {

// LMDB 0.9's layouts on a 64-bit machine (mdb.c). A page starts with a 16-byte header: pgno u64, pad u16,
// flags u16, then either lower u16 and upper u16 (branch and leaf pages: the end of the node-offset array
// and the start of the node area) or the page count u32 (the first page of an overflow run). Nodes: lo u16,
// hi u16, flags u16, key size u16, then the key and, in a leaf, the value. A meta page holds, after the
// header: magic u32, version u32, address u64, map size u64, the free-list and main databases' records
// (48 bytes each), the last page number u64 and the transaction id u64.
constexpr size_t kPageHeader = 16;
constexpr size_t kNodeHeader = 8;
constexpr size_t kDbRecord = 48;
constexpr uint16_t kBranch = 0x01, kLeaf = 0x02, kOverflow = 0x04, kMeta = 0x08;
constexpr uint16_t kBigData = 0x01, kSubData = 0x02;
constexpr uint16_t kIntegerKey = 0x08;
constexpr uint32_t kMagic = 0xBEEFC0DE;
constexpr uint64_t kNoPage = ~0ull;
constexpr unsigned kMaxDepth = 32;

template <typename T>
T Get(const std::string& b, size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

struct DbRecord {
  uint16_t flags = 0;
  uint16_t depth = 0;
  uint64_t branch_pages = 0, leaf_pages = 0, overflow_pages = 0, entries = 0, root = kNoPage;
};

DbRecord ParseDb(const std::string& b, size_t at) {
  DbRecord d;
  d.flags = Get<uint16_t>(b, at + 4);
  d.depth = Get<uint16_t>(b, at + 6);
  d.branch_pages = Get<uint64_t>(b, at + 8);
  d.leaf_pages = Get<uint64_t>(b, at + 16);
  d.overflow_pages = Get<uint64_t>(b, at + 24);
  d.entries = Get<uint64_t>(b, at + 32);
  d.root = Get<uint64_t>(b, at + 40);
  return d;
}

class PageChecker {
 public:
  PageChecker(int fd, size_t page_size) : fd_(fd), page_size_(page_size) {}

  bool Check(uint64_t file_pages) {
    std::string metas[2];
    for (uint64_t i = 0; i < 2; i++) {
      if (!Read(i, &metas[i]) || Get<uint16_t>(metas[i], 10) != kMeta ||
          Get<uint32_t>(metas[i], kPageHeader) != kMagic || Get<uint32_t>(metas[i], kPageHeader + 4) != 1) {
        return false;
      }
    }
    // LMDB uses the meta page with the larger transaction id.
    const std::string& meta = metas[Get<uint64_t>(metas[0], 144) < Get<uint64_t>(metas[1], 144) ? 1 : 0];
    const uint64_t last = Get<uint64_t>(meta, 136);
    if (Get<uint32_t>(meta, 40) != page_size_ || last < 1 || last >= file_pages) return false;
    seen_.assign(last + 1, false);
    seen_[0] = seen_[1] = true;
    return Tree(ParseDb(meta, 40), false) && Tree(ParseDb(meta, 88), true);
  }

 private:
  bool Read(uint64_t pgno, std::string* page) {
    page->resize(page_size_);
    return pread(fd_, page->data(), page_size_, static_cast<off_t>(pgno * page_size_)) ==
               static_cast<ssize_t>(page_size_) &&
           Get<uint64_t>(*page, 0) == pgno;
  }

  // Marks pages [first, first + count) as used, refusing any page already used or past the last.
  bool Claim(uint64_t first, uint64_t count) {
    if (first >= seen_.size() || count == 0 || count > seen_.size() - first) return false;
    for (uint64_t p = first; p < first + count; p++) {
      if (seen_[p]) return false;
      seen_[p] = true;
    }
    return true;
  }

  struct Tally {
    uint64_t branch = 0, leaf = 0, overflow = 0, entries = 0;
  };

  // A database's tree; `main` for the main database, whose entries are the named databases' records.
  bool Tree(const DbRecord& db, bool main) {
    if (db.root == kNoPage) return db.depth == 0 && db.entries == 0;
    if (db.depth == 0 || db.depth > kMaxDepth) return false;
    Tally tally;
    if (!Subtree(db, db.root, 1, main, &tally)) return false;
    return tally.branch == db.branch_pages && tally.leaf == db.leaf_pages &&
           tally.overflow == db.overflow_pages && tally.entries == db.entries;
  }

  bool Subtree(const DbRecord& db, uint64_t pgno, unsigned level, bool main, Tally* tally) {
    std::string page;
    if (!Claim(pgno, 1) || !Read(pgno, &page)) return false;
    const bool leaf = level == db.depth;
    if (Get<uint16_t>(page, 10) != (leaf ? kLeaf : kBranch)) return false;
    const size_t lower = Get<uint16_t>(page, 12), upper = Get<uint16_t>(page, 14);
    if (lower < kPageHeader + 2 || lower > upper || upper > page_size_ || (lower - kPageHeader) % 2 != 0)
      return false;
    const bool integer_keys = (db.flags & kIntegerKey) != 0;
    std::vector<std::pair<size_t, size_t>> extents;  // each node's [start, end) in the page
    std::vector<uint64_t> children;
    for (size_t i = 0; i < (lower - kPageHeader) / 2; i++) {
      const size_t at = Get<uint16_t>(page, kPageHeader + 2 * i);
      if (at < upper || at + kNodeHeader > page_size_) return false;
      const uint64_t lo = Get<uint16_t>(page, at), hi = Get<uint16_t>(page, at + 2);
      const uint16_t flags = Get<uint16_t>(page, at + 4);
      const size_t key_size = Get<uint16_t>(page, at + 6);
      // A branch's first key is empty by design; every other key of an integer-keyed database is a u64.
      if (integer_keys && key_size != 8 && (leaf || i != 0)) return false;
      size_t size = kNodeHeader + key_size;
      if (!leaf) {
        children.push_back(lo | hi << 16 | static_cast<uint64_t>(flags) << 32);
      } else {
        const uint64_t data_size = lo | hi << 16;
        tally->entries++;
        if (main != ((flags & kSubData) != 0) || (flags & ~(kBigData | kSubData)) != 0) return false;
        if ((flags & kBigData) != 0) {
          if (main || at + size + 8 > page_size_ ||
              !Overflow(Get<uint64_t>(page, at + size), data_size, tally))
            return false;
          size += 8;
        } else {
          size += data_size;
          if (at + size > page_size_) return false;
          if (main && (data_size != kDbRecord || !Tree(ParseDb(page, at + kNodeHeader + key_size), false)))
            return false;
        }
      }
      extents.emplace_back(at, at + size + (size & 1));
    }
    std::sort(extents.begin(), extents.end());
    for (size_t i = 0; i < extents.size(); i++) {
      if (extents[i].second > page_size_ || (i > 0 && extents[i].first < extents[i - 1].second)) return false;
    }
    (leaf ? tally->leaf : tally->branch)++;
    for (uint64_t child : children) {
      if (!Subtree(db, child, level + 1, main, tally)) return false;
    }
    return true;
  }

  bool Overflow(uint64_t pgno, uint64_t data_size, Tally* tally) {
    std::string page;
    const uint64_t count = (data_size + kPageHeader + page_size_ - 1) / page_size_;
    if (!Read(pgno, &page) || Get<uint16_t>(page, 10) != kOverflow || Get<uint32_t>(page, 12) != count ||
        !Claim(pgno, count)) {
      return false;
    }
    tally->overflow += count;
    return true;
  }

  int fd_;
  size_t page_size_;
  std::vector<bool> seen_;
};

}  // namespace

bool LmdbPagesAreSound(const std::string& data_file, size_t page_size) {
  const int fd = open(data_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st;
  bool sound = fstat(fd, &st) == 0 && page_size >= 512 && page_size <= 65536 &&
               PageChecker(fd, page_size).Check(static_cast<uint64_t>(st.st_size) / page_size);
  close(fd);
  return sound;
}

}  // namespace strata
