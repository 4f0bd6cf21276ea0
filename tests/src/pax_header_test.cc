// Pax headers read back by the rules of POSIX.1-2001 (pax, "pax Extended Header File Format" and ustar),
// written out here independently of the writer: each record's decimal length counts its own digits, the
// header blocks' checksums add up, and every value survives, including at the lengths where the length
// field gains a digit.
#include "src/pax_header.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "src/posix_acl_text.h"

namespace strata {
namespace {

// The records of an extended header's data; fails the test on any malformed record.
std::map<std::string, std::string> ParseRecords(const std::string& data) {
  std::map<std::string, std::string> out;
  size_t at = 0;
  while (at < data.size()) {
    const size_t space = data.find(' ', at);
    EXPECT_NE(space, std::string::npos);
    const size_t len = std::stoul(data.substr(at, space - at));
    EXPECT_EQ(data[at + len - 1], '\n') << "record at " << at;
    const std::string body = data.substr(space + 1, at + len - 1 - (space + 1));
    const size_t eq = body.find('=');
    out[body.substr(0, eq)] = body.substr(eq + 1);
    at += len;
  }
  return out;
}

unsigned long Octal(const std::string& block, size_t at, size_t width) {
  return std::stoul(block.substr(at, width), nullptr, 8);
}

void ExpectChecksum(const std::string& block) {
  unsigned sum = 0;
  for (size_t i = 0; i < 512; i++) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(block[i]);
  EXPECT_EQ(Octal(block, 148, 7), sum);
}

TEST(PaxHeaderTest, RecordsAndBlocksReadBack) {
  for (size_t n = 1; n < 1100; n += (n > 80 && n < 120) || (n > 980 && n < 1010) ? 1 : 37) {
    TarMember m;
    m.path = std::string(n, 'p');
    m.typeflag = '0';
    m.mode = 04755;
    m.uid = 1234;
    m.gid = 3000000;  // beyond the 7 octal digits of the ustar field
    m.uname = "alice";
    m.mtime_ns = -1500000001;
    m.size = 42;
    m.xattrs = {{"user.bin", std::string("\0\n=x", 4)}};
    const std::string h = TarMemberHeaders(m);
    ASSERT_EQ(h.size() % 512, 0U);
    const std::string pax = h.substr(0, 512);
    ExpectChecksum(pax);
    EXPECT_EQ(pax[156], 'x');
    const size_t data_size = Octal(pax, 124, 11);
    const auto records = ParseRecords(h.substr(512, data_size));
    EXPECT_EQ(records.at("path"), m.path) << n;
    EXPECT_EQ(records.at("mtime"), "-1.500000001");
    EXPECT_EQ(records.at("gid"), "3000000");
    EXPECT_EQ(records.count("uid"), 0U);
    EXPECT_EQ(records.at("SCHILY.xattr.user.bin"), std::string("\0\n=x", 4));
    const std::string ustar = h.substr(h.size() - 512);
    ExpectChecksum(ustar);
    EXPECT_EQ(ustar.substr(257, 6), std::string("ustar\0", 6));
    EXPECT_EQ(Octal(ustar, 100, 7), 04755U);
    EXPECT_EQ(Octal(ustar, 124, 11), 42U);
    EXPECT_EQ(ustar.substr(265, 5), "alice");
  }
  EXPECT_EQ(TarPadding(0).size(), 0U);
  EXPECT_EQ(TarPadding(1).size(), 511U);
  EXPECT_EQ(TarPadding(512).size(), 0U);
  EXPECT_EQ(TarTrailer(), std::string(1024, '\0'));
}

TEST(PosixAclTextTest, LinuxXattrToText) {
  // user::rw-, user:1234:r-x, group::r--, mask::r-x, other::---, as setfacl stores them.
  const std::string xattr =
      std::string("\x02\0\0\0", 4) + std::string("\x01\0\x06\0\xff\xff\xff\xff", 8) +
      std::string("\x02\0\x05\0\xd2\x04\0\0", 8) + std::string("\x04\0\x04\0\xff\xff\xff\xff", 8) +
      std::string("\x10\0\x05\0\xff\xff\xff\xff", 8) + std::string("\x20\0\0\0\xff\xff\xff\xff", 8);
  EXPECT_EQ(PosixAclText(xattr), "user::rw-,user:1234:r-x,group::r--,mask::r-x,other::---");
  EXPECT_EQ(PosixAclText(xattr.substr(0, 10)), std::nullopt);           // cut inside an entry
  EXPECT_EQ(PosixAclText(std::string("\x01\0\0\0", 4)), std::nullopt);  // another version
  std::string bad_tag = xattr;
  bad_tag[4] = 0x40;
  EXPECT_EQ(PosixAclText(bad_tag), std::nullopt);
}

}  // namespace
}  // namespace strata
