#include "store/tree.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "store/coding.h"
#include "store/hash.h"
#include "tests/testutil.h"

namespace strata {
namespace {

TreeEntry Entry(std::string name, EntryType type) {
  TreeEntry e;
  e.name = std::move(name);
  e.type = type;
  e.mode = 0644;
  if (type == EntryType::kRegular || type == EntryType::kDirectory) e.ref = HashBytes(e.name);
  if (type == EntryType::kSymlink) e.symlink_target = "../target";
  return e;
}

Tree SampleTree() {
  Tree t;
  TreeEntry reg = Entry("a-file", EntryType::kRegular);
  reg.mode = 04755;
  reg.uid = 1000;
  reg.gid = UINT32_MAX;
  reg.user = "alice";
  reg.group = "staff";
  reg.mtime_ns = -1234567890123456789;  // before 1970
  reg.ctime_ns = INT64_MAX;
  reg.size = UINT64_MAX;
  reg.nlink = 3;
  reg.dev = 0xfd00;
  reg.ino = 1ull << 40;
  reg.blocks = 8;
  reg.xattrs = {{"security.selinux", std::string("ctx\0bin", 7)}, {"user.a", ""}, {"user.b", "v"}};
  t.entries.push_back(reg);
  TreeEntry blk = Entry("blk", EntryType::kBlockDevice);
  blk.rdev = 0x0801;
  t.entries.push_back(blk);
  TreeEntry chr = Entry("chr", EntryType::kCharDevice);
  chr.rdev = 0x0103;
  chr.mtime_ns = INT64_MIN;
  t.entries.push_back(chr);
  TreeEntry dir = Entry("dir", EntryType::kDirectory);
  dir.mode = 01777;
  dir.xattrs = {{"user.x", std::string(1000, 'x')}};
  t.entries.push_back(dir);
  t.entries.push_back(Entry("fifo", EntryType::kFifo));
  TreeEntry link = Entry("link", EntryType::kSymlink);
  link.symlink_target = "/an/absolute/target with spaces";
  link.size = link.symlink_target.size();
  t.entries.push_back(link);
  // Names are compared as unsigned bytes: 0xc3 sorts after ASCII.
  t.entries.push_back(Entry("\xc3\xa9t\xc3\xa9", EntryType::kRegular));
  return t;
}

void ExpectSameTree(const Tree& a, const Tree& b) {
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (size_t i = 0; i < a.entries.size(); i++) EXPECT_EQ(a.entries[i], b.entries[i]) << a.entries[i].name;
}

TEST(TreeTest, RoundTripsEveryEntryType) {
  const Tree t = SampleTree();
  const std::string bytes = t.Encode();
  auto d = Tree::Decode(bytes, "tree");
  ASSERT_TRUE(d.ok()) << d.status().message();
  ExpectSameTree(*d, t);
  EXPECT_EQ(d->Encode(), bytes);  // canonical: same tree, same bytes, same id
  EXPECT_EQ(d->entries[0].mtime_ns, -1234567890123456789);
  EXPECT_EQ(d->entries[5].symlink_target, "/an/absolute/target with spaces");
  EXPECT_EQ(d->entries[0].xattrs[0].second, std::string("ctx\0bin", 7));
}

TEST(TreeTest, EmptyTree) {
  Tree t;
  EXPECT_EQ(t.Encode(), test::Bytes({1, 0}));
  auto d = Tree::Decode(t.Encode(), "tree");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->entries.empty());
}

TEST(TreeTest, HandComputedEncoding) {
  Tree t;
  TreeEntry e = Entry("p", EntryType::kFifo);
  e.mode = 0644;
  e.mtime_ns = -1;
  e.ctime_ns = 2;
  t.entries.push_back(e);
  // version, count, name, type, mode 420, uid, gid, user, group, mtime zz(-1), ctime zz(2), size, nlink,
  // dev, ino, blocks, rdev, target, xattr count; no ref for a fifo.
  EXPECT_EQ(t.Encode(),
            test::Bytes({1, 1, 1, 'p', 4, 0xa4, 0x03, 0, 0, 0, 0, 0x01, 0x04, 0, 1, 0, 0, 0, 0, 0, 0}));

  Tree r;
  r.entries.push_back(Entry("f", EntryType::kRegular));
  r.entries[0].mode = 0;
  std::string want = test::Bytes({1, 1, 1, 'f', 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
  want += HashBytes("f").View();
  EXPECT_EQ(r.Encode(), want);
}

TEST(TreeTest, Find) {
  const Tree t = SampleTree();
  for (const TreeEntry& e : t.entries) {
    const TreeEntry* f = t.Find(e.name);
    ASSERT_NE(f, nullptr) << e.name;
    EXPECT_EQ(f->name, e.name);
  }
  EXPECT_EQ(t.Find("a"), nullptr);
  EXPECT_EQ(t.Find("zzz"), nullptr);
  EXPECT_EQ(t.Find(""), nullptr);
  EXPECT_EQ(t.Find("dir/"), nullptr);
}

Status DecodeStatus(const Tree& t) { return Tree::Decode(t.Encode(), "tree T").status(); }

TEST(TreeTest, RejectsUnsortedAndDuplicateNames) {
  Tree t;
  t.entries = {Entry("b", EntryType::kFifo), Entry("a", EntryType::kFifo)};
  EXPECT_TRUE(DecodeStatus(t).IsCorruption());
  t.entries = {Entry("a", EntryType::kFifo), Entry("a", EntryType::kRegular)};
  EXPECT_TRUE(DecodeStatus(t).IsCorruption());
  // Byte order, not signed-char order: "\xc3" must come after "z".
  t.entries = {Entry("\xc3", EntryType::kFifo), Entry("z", EntryType::kFifo)};
  EXPECT_TRUE(DecodeStatus(t).IsCorruption());
  t.entries = {Entry("z", EntryType::kFifo), Entry("\xc3", EntryType::kFifo)};
  EXPECT_TRUE(DecodeStatus(t).ok());
  // A prefix sorts first.
  t.entries = {Entry("ab", EntryType::kFifo), Entry("a", EntryType::kFifo)};
  EXPECT_TRUE(DecodeStatus(t).IsCorruption());
}

TEST(TreeTest, RejectsBadNames) {
  for (const std::string& name : {std::string(""), std::string("."), std::string(".."), std::string("a/b"),
                                  std::string("/"), std::string("a\0b", 3), std::string(4097, 'n')}) {
    Tree t;
    t.entries = {Entry(name, EntryType::kFifo)};
    Status s = DecodeStatus(t);
    EXPECT_TRUE(s.IsCorruption()) << name.size();
    EXPECT_NE(s.message().find("tree T"), std::string::npos);
  }
  for (const std::string& name : {std::string("..."), std::string(".a"), std::string(4096, 'n')}) {
    Tree t;
    t.entries = {Entry(name, EntryType::kFifo)};
    EXPECT_TRUE(DecodeStatus(t).ok()) << name;
  }
  EXPECT_FALSE(IsValidEntryName(""));
  EXPECT_FALSE(IsValidEntryName(".."));
  EXPECT_TRUE(IsValidEntryName("a b"));
}

TEST(TreeTest, RejectsBadTypes) {
  for (uint8_t type : {uint8_t{0}, uint8_t{7}, uint8_t{0xff}}) {
    Tree t;
    t.entries = {Entry("x", static_cast<EntryType>(type))};
    EXPECT_TRUE(DecodeStatus(t).IsCorruption()) << int{type};
  }
}

TEST(TreeTest, RejectsBadFields) {
  Tree t;
  t.entries = {Entry("x", EntryType::kFifo)};
  t.entries[0].mode = 010000;  // file type bits are not permission bits
  EXPECT_TRUE(DecodeStatus(t).IsCorruption());
  t.entries = {Entry("x", EntryType::kSymlink)};
  t.entries[0].symlink_target = "";
  EXPECT_TRUE(DecodeStatus(t).IsCorruption());
  t.entries[0].symlink_target = std::string("a\0b", 3);
  EXPECT_TRUE(DecodeStatus(t).IsCorruption());
  t.entries = {Entry("x", EntryType::kRegular)};
  t.entries[0].symlink_target = "not for a file";
  EXPECT_TRUE(DecodeStatus(t).IsCorruption());
  t.entries = {Entry("x", EntryType::kRegular)};
  t.entries[0].user = std::string(257, 'u');
  EXPECT_TRUE(DecodeStatus(t).IsCorruption());
}

TEST(TreeTest, RejectsBadXattrs) {
  using X = std::vector<std::pair<std::string, std::string>>;
  for (const X& xattrs : {X{{"user.b", ""}, {"user.a", ""}}, X{{"user.a", "1"}, {"user.a", "2"}},
                          X{{"", "v"}}, X{{std::string("user.\0x", 7), "v"}}, X{{std::string(256, 'n'), "v"}},
                          X{{"user.big", std::string((1 << 16) + 1, 'v')}}}) {
    Tree t;
    t.entries = {Entry("x", EntryType::kFifo)};
    t.entries[0].xattrs = xattrs;
    EXPECT_TRUE(DecodeStatus(t).IsCorruption()) << xattrs[0].first;
  }
}

TEST(TreeTest, RejectsXattrCountTooLarge) {
  Tree t;
  t.entries = {Entry("x", EntryType::kFifo)};
  std::string bytes = t.Encode();
  ASSERT_EQ(bytes.back(), 0);  // a fifo entry ends with its xattr count
  bytes.pop_back();
  for (uint64_t count : {uint64_t{1}, uint64_t{1} << 40, UINT64_MAX}) {
    std::string bad = bytes;
    PutVarint64(&bad, count);
    EXPECT_TRUE(Tree::Decode(bad, "t").status().IsCorruption()) << count;
  }
  // A count that fits the bytes present but whose entries are not all there.
  std::string bad = bytes;
  PutVarint64(&bad, 3);
  PutLengthPrefixed(&bad, "user.a");
  PutLengthPrefixed(&bad, "v");
  bad += "xx";
  EXPECT_TRUE(Tree::Decode(bad, "t").status().IsCorruption());
}

TEST(TreeTest, RejectsEntryCountTooLargeAndTrailingBytes) {
  const std::string bytes = SampleTree().Encode();
  std::string bad = bytes;
  bad[1] = 8;  // 7 entries present
  EXPECT_TRUE(Tree::Decode(bad, "t").status().IsCorruption());
  bad = test::Bytes({1});
  PutVarint64(&bad, UINT64_MAX);
  EXPECT_TRUE(Tree::Decode(bad, "t").status().IsCorruption());
  EXPECT_TRUE(Tree::Decode(bytes + '\0', "t").status().IsCorruption());
  EXPECT_TRUE(Tree::Decode("", "t").status().IsCorruption());
  bad = bytes;
  bad[0] = 2;
  EXPECT_EQ(Tree::Decode(bad, "t").status().code(), Status::Code::kNotSupported);
}

TEST(TreeTest, EveryTruncationIsRejected) {
  const std::string bytes = SampleTree().Encode();
  for (size_t len = 0; len < bytes.size(); len++) {
    EXPECT_FALSE(Tree::Decode(bytes.substr(0, len), "t").ok()) << len;
  }
}

// Whatever Decode accepts must be a valid tree that re-encodes to something decoding to the same tree.
void CheckAccepted(const Tree& t) {
  for (size_t i = 0; i < t.entries.size(); i++) {
    ASSERT_TRUE(IsValidEntryName(t.entries[i].name));
    if (i > 0) {
      ASSERT_LT(t.entries[i - 1].name, t.entries[i].name);
    }
  }
  auto again = Tree::Decode(t.Encode(), "again");
  ASSERT_TRUE(again.ok()) << again.status().message();
  ExpectSameTree(*again, t);
}

TEST(TreeTest, RandomGarbageNeverCrashes) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 5000; i++) {
    std::string s = test::RandomBytes(rng() % 300, rng());
    if (i % 2 == 0 && !s.empty()) s[0] = 1;  // get past the version byte
    if (i % 4 == 0 && s.size() > 1) s[1] = static_cast<char>(rng() % 4);
    auto d = Tree::Decode(s, "t");
    if (d.ok()) {
      CheckAccepted(*d);
    }
  }
}

TEST(TreeTest, RandomMutationsNeverCrash) {
  const std::string good = SampleTree().Encode();
  std::mt19937_64 rng(2);
  int accepted = 0;
  for (int i = 0; i < 20000; i++) {
    std::string s = good;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; k++) {
      size_t pos = rng() % s.size();
      switch (rng() % 5) {
        case 0:
          s[pos] = static_cast<char>(s[pos] ^ (1 << (rng() % 8)));
          break;
        case 1:
          s[pos] = static_cast<char>(rng());
          break;
        case 2:
          s.erase(pos, 1 + rng() % 8);
          break;
        case 3:
          s.insert(pos, 1 + rng() % 4, static_cast<char>(rng()));
          break;
        case 4:
          s.resize(pos);
          break;
      }
      if (s.empty()) s = good;
    }
    auto d = Tree::Decode(s, "t");
    if (d.ok()) {
      accepted++;
      CheckAccepted(*d);
    }
  }
  // Mutations of data bytes (times, sizes, ids) are legitimately accepted: the checksums live elsewhere.
  EXPECT_GT(accepted, 0);
}

TEST(TreeTest, SingleEntryCodecWithEmptyName) {
  TreeEntry root = Entry("", EntryType::kDirectory);
  std::string bytes;
  EncodeTreeEntry(root, &bytes);
  {
    Decoder d(bytes);
    TreeEntry got;
    ASSERT_TRUE(DecodeTreeEntry(&d, &got, true));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(got, root);
  }
  {
    Decoder d(bytes);
    TreeEntry got;
    EXPECT_FALSE(DecodeTreeEntry(&d, &got, false));
  }
}

}  // namespace
}  // namespace strata
