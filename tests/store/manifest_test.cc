#include "store/manifest.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdint>
#include <string>

#include "store/coding.h"
#include "store/hash.h"
#include "tests/testutil.h"

namespace strata {
namespace {

Manifest Sample() {
  Manifest m;
  m.time_ns = 1700000000123456789;
  m.host = "backup-host";
  m.paths = {"/home/alice", "/etc", std::string("/odd\npath", 9)};
  m.label = "nightly";
  m.parent = HashBytes("parent");
  m.multi_source = true;
  m.root.name = "";
  m.root.type = EntryType::kDirectory;
  m.root.mode = 0755;
  m.root.uid = 0;
  m.root.user = "root";
  m.root.mtime_ns = -5;
  m.root.xattrs = {{"user.k", "v"}};
  m.root.ref = HashBytes("root tree");
  m.stats = {1, 2, 3, 4, 5, 6, 7, 8, 9, UINT64_MAX};
  m.warnings = {"could not read /etc/shadow: permission denied", ""};
  return m;
}

void ExpectSame(const Manifest& a, const Manifest& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.time_ns, b.time_ns);
  EXPECT_EQ(a.host, b.host);
  EXPECT_EQ(a.paths, b.paths);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.parent, b.parent);
  EXPECT_EQ(a.multi_source, b.multi_source);
  EXPECT_EQ(a.root, b.root);
  EXPECT_EQ(a.stats.files, b.stats.files);
  EXPECT_EQ(a.stats.files_new, b.stats.files_new);
  EXPECT_EQ(a.stats.files_changed, b.stats.files_changed);
  EXPECT_EQ(a.stats.files_unchanged, b.stats.files_unchanged);
  EXPECT_EQ(a.stats.dirs, b.stats.dirs);
  EXPECT_EQ(a.stats.other, b.stats.other);
  EXPECT_EQ(a.stats.bytes, b.stats.bytes);
  EXPECT_EQ(a.stats.bytes_read, b.stats.bytes_read);
  EXPECT_EQ(a.stats.bytes_added, b.stats.bytes_added);
  EXPECT_EQ(a.stats.errors, b.stats.errors);
  EXPECT_EQ(a.warnings, b.warnings);
}

TEST(ManifestTest, RoundTrip) {
  Manifest m = Sample();
  const std::string bytes = m.Encode();
  EXPECT_FALSE(m.id.IsZero());
  auto d = Manifest::Decode(bytes, "snap");
  ASSERT_TRUE(d.ok()) << d.status().message();
  ExpectSame(*d, m);
  Manifest again = *d;
  EXPECT_EQ(again.Encode(), bytes);
}

TEST(ManifestTest, MinimalRoundTrip) {
  Manifest m;
  m.root.type = EntryType::kDirectory;
  const std::string bytes = m.Encode();
  auto d = Manifest::Decode(bytes, "snap");
  ASSERT_TRUE(d.ok()) << d.status().message();
  ExpectSame(*d, m);
  EXPECT_FALSE(d->multi_source);
  EXPECT_TRUE(d->parent.IsZero());
}

TEST(ManifestTest, LayoutAndIdIsHashOfFileMinusLast32Bytes) {
  Manifest m = Sample();
  const std::string bytes = m.Encode();
  ASSERT_GT(bytes.size(), 48u);
  EXPECT_EQ(bytes.substr(0, 8), "\x89STRSNP\n");
  EXPECT_EQ(bytes.substr(8, 4), std::string("\x01\x00\x00\x00", 4));
  const uint32_t body_len = DecodeFixed32(bytes.data() + 12);
  EXPECT_EQ(bytes.size(), 16 + body_len + 32u);
  const std::string expected_id = test::Blake2b256(std::string_view(bytes).substr(0, bytes.size() - 32));
  EXPECT_EQ(std::string(m.id.View()), expected_id);
  EXPECT_EQ(bytes.substr(bytes.size() - 32), expected_id);
  auto d = Manifest::Decode(bytes, "snap");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(std::string(d->id.View()), expected_id);
  // The body starts with the zig-zag time.
  std::string t;
  PutVarsint64(&t, m.time_ns);
  EXPECT_EQ(bytes.substr(16, t.size()), t);
}

TEST(ManifestTest, DifferentContentDifferentId) {
  Manifest a = Sample();
  Manifest b = Sample();
  b.label = "nightly2";
  a.Encode();
  b.Encode();
  EXPECT_NE(a.id, b.id);
}

TEST(ManifestTest, EveryTruncationIsRejected) {
  Manifest m = Sample();
  const std::string bytes = m.Encode();
  for (size_t len = 0; len < bytes.size(); len++) {
    auto d = Manifest::Decode(bytes.substr(0, len), "snap S");
    ASSERT_TRUE(d.status().IsCorruption()) << len;
    EXPECT_NE(d.status().message().find("snap S"), std::string::npos);
  }
  EXPECT_TRUE(Manifest::Decode(bytes + '\0', "snap").status().IsCorruption());
}

TEST(ManifestTest, EveryFlippedByteIsRejected) {
  Manifest m = Sample();
  const std::string bytes = m.Encode();
  for (size_t i = 0; i < bytes.size(); i++) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      auto d = Manifest::Decode(bad, "snap");
      ASSERT_FALSE(d.ok()) << "byte " << i;
      if (i >= 8 && i < 12) {
        EXPECT_EQ(d.status().code(), Status::Code::kNotSupported) << i;
      } else {
        EXPECT_TRUE(d.status().IsCorruption()) << i;
      }
    }
  }
}

// Body edits with a recomputed checksum: only the structural validation can object.
std::string Reframe(const std::string& body) {
  std::string out("\x89STRSNP\n");
  PutFixed32(&out, 1);
  PutFixed32(&out, static_cast<uint32_t>(body.size()));
  out += body;
  return out + test::Blake2b256(out);
}

std::string BodyOf(const std::string& bytes) { return bytes.substr(16, bytes.size() - 48); }

TEST(ManifestTest, StructuralValidationBehindAValidChecksum) {
  Manifest m = Sample();
  const std::string body = BodyOf(m.Encode());
  ASSERT_TRUE(Manifest::Decode(Reframe(body), "s").ok());
  EXPECT_TRUE(Manifest::Decode(Reframe(body + "x"), "s").status().IsCorruption());
  EXPECT_TRUE(Manifest::Decode(Reframe(body.substr(0, body.size() - 1)), "s").status().IsCorruption());
  EXPECT_TRUE(Manifest::Decode(Reframe(""), "s").status().IsCorruption());

  // The root must be a directory.
  Manifest f = Sample();
  f.root.type = EntryType::kRegular;
  EXPECT_TRUE(Manifest::Decode(f.Encode(), "s").status().IsCorruption());
  Manifest l = Sample();
  l.root.type = EntryType::kSymlink;
  l.root.symlink_target = "x";
  EXPECT_TRUE(Manifest::Decode(l.Encode(), "s").status().IsCorruption());

  // multi_source is a boolean byte.
  Manifest t = Sample();
  t.multi_source = false;
  std::string tb = BodyOf(t.Encode());
  // Find the flag: it follows the 32 parent bytes.
  const size_t parent_at = tb.find(std::string(t.parent.View()));
  ASSERT_NE(parent_at, std::string::npos);
  ASSERT_EQ(tb[parent_at + 32], 0);
  tb[parent_at + 32] = 2;
  EXPECT_TRUE(Manifest::Decode(Reframe(tb), "s").status().IsCorruption());

  // A path count far above the bytes present.
  std::string huge;
  PutVarsint64(&huge, 1);
  PutLengthPrefixed(&huge, "h");
  PutVarint64(&huge, UINT64_MAX);
  EXPECT_TRUE(Manifest::Decode(Reframe(huge), "s").status().IsCorruption());
}

TEST(ManifestTest, RejectsOtherVersions) {
  Manifest m = Sample();
  std::string bytes = m.Encode();
  for (char version : {0, 3, 100}) {
    bytes[8] = version;
    EXPECT_EQ(Manifest::Decode(bytes, "s").status().code(), Status::Code::kNotSupported) << int{version};
  }
}

// A copy made by strata sync records its origin: version 2, the origin's 32 bytes after the warnings.
TEST(ManifestTest, OriginMakesVersion2AndRoundTrips) {
  Manifest m = Sample();
  const std::string v1 = m.Encode();
  m.origin = HashBytes("the original snapshot");
  const std::string v2 = m.Encode();
  EXPECT_EQ(v2.substr(8, 4), std::string("\x02\x00\x00\x00", 4));
  EXPECT_EQ(v2.size(), v1.size() + 32);
  EXPECT_EQ(v2.substr(v2.size() - 64, 32), std::string(m.origin.View()));
  EXPECT_EQ(DecodeFixed32(v2.data() + 12), DecodeFixed32(v1.data() + 12) + 32);
  auto d = Manifest::Decode(v2, "snap");
  ASSERT_TRUE(d.ok()) << d.status().message();
  ExpectSame(m, *d);
  EXPECT_EQ(d->origin, m.origin);
  EXPECT_EQ(d->Identity(), m.origin);
  auto plain = Manifest::Decode(v1, "snap");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->origin.IsZero());
  EXPECT_EQ(plain->Identity(), plain->id);
}

TEST(ManifestTest, Version2WithoutAnOriginIsCorrupt) {
  Manifest m = Sample();
  std::string bytes = m.Encode();
  // Relabel a version 1 manifest as version 2 with a zero origin, checksum recomputed.
  bytes.resize(bytes.size() - 32);
  bytes[8] = 2;
  bytes.append(32, '\0');
  EncodeFixed32(bytes.data() + 12, DecodeFixed32(bytes.data() + 12) + 32);
  bytes.append(HashBytes(bytes).View());
  EXPECT_EQ(Manifest::Decode(bytes, "s").status().code(), Status::Code::kCorruption);
}

}  // namespace
}  // namespace strata
