#include "src/pax_header.h"

#include <algorithm>
#include <cstdio>
#include <string_view>

namespace strata {
namespace {

// The largest value an octal field of `width` bytes holds (width - 1 digits and a NUL).
uint64_t OctalMax(size_t width) { return (uint64_t{1} << (3 * (width - 1))) - 1; }

void PutOctal(char* field, size_t width, uint64_t value) {
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value > OctalMax(width) ? 0 : value));
}

void PutString(char* field, size_t width, std::string_view s) {
  s.copy(field, s.size() < width ? s.size() : width);
}

// One record, "LEN KEY=VALUE\n", whose LEN counts its own digits.
void AddRecord(std::string* out, std::string_view key, std::string_view value) {
  const size_t body = 1 + key.size() + 1 + value.size() + 1;  // " KEY=VALUE\n"
  size_t len = body + 1;
  while (std::to_string(len).size() + body != len) len = std::to_string(len).size() + body;
  *out += std::to_string(len);
  *out += ' ';
  *out += key;
  *out += '=';
  *out += value;
  *out += '\n';
}

// "SECONDS.NANOSECONDS", negative before 1970.
std::string PaxTime(int64_t ns) {
  const bool negative = ns < 0;
  const uint64_t magnitude = negative ? uint64_t{0} - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s%llu.%09llu", negative ? "-" : "",
                static_cast<unsigned long long>(magnitude / 1000000000),
                static_cast<unsigned long long>(magnitude % 1000000000));
  return buf;
}

// A 512-byte ustar header.
std::string UstarHeader(std::string_view name, char typeflag, const TarMember& m, uint64_t size) {
  std::string h(kTarBlock, '\0');
  char* b = h.data();
  PutString(b, 100, name);
  PutOctal(b + 100, 8, m.mode & 07777);
  PutOctal(b + 108, 8, m.uid);
  PutOctal(b + 116, 8, m.gid);
  PutOctal(b + 124, 12, size);
  PutOctal(b + 136, 12, m.mtime_ns < 0 ? 0 : static_cast<uint64_t>(m.mtime_ns / 1000000000));
  b[156] = typeflag;
  PutString(b + 157, 100, m.linkname);
  PutString(b + 257, 6, "ustar");  // with its NUL
  PutString(b + 263, 2, "00");
  PutString(b + 265, 32, m.uname.size() < 32 ? m.uname : "");
  PutString(b + 297, 32, m.gname.size() < 32 ? m.gname : "");
  PutOctal(b + 329, 8, m.devmajor);
  PutOctal(b + 337, 8, m.devminor);
  // The checksum is taken with its own field as spaces, and written as six digits, NUL, space.
  std::fill(b + 148, b + 156, ' ');
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(b + 148, 8, "%06o", sum);
  b[155] = ' ';
  return h;
}

}  // namespace

std::string TarPadding(uint64_t size) {
  return std::string((kTarBlock - size % kTarBlock) % kTarBlock, '\0');
}

std::string TarTrailer() { return std::string(2 * kTarBlock, '\0'); }

std::string TarMemberHeaders(const TarMember& m) {
  // The path, the link target and the mtime always go in the extended header: the ustar fields would cut
  // long names and drop the nanoseconds, and names are bytes, not necessarily ASCII.
  std::string records;
  AddRecord(&records, "path", m.path);
  if (!m.linkname.empty()) AddRecord(&records, "linkpath", m.linkname);
  AddRecord(&records, "mtime", PaxTime(m.mtime_ns));
  if (m.uid > OctalMax(8)) AddRecord(&records, "uid", std::to_string(m.uid));
  if (m.gid > OctalMax(8)) AddRecord(&records, "gid", std::to_string(m.gid));
  if (m.size > OctalMax(12)) AddRecord(&records, "size", std::to_string(m.size));
  if (!m.uname.empty() && m.uname.size() >= 32) AddRecord(&records, "uname", m.uname);
  if (!m.gname.empty() && m.gname.size() >= 32) AddRecord(&records, "gname", m.gname);
  for (const auto& [name, value] : m.xattrs) AddRecord(&records, "SCHILY.xattr." + name, value);
  if (!m.acl_access.empty()) AddRecord(&records, "SCHILY.acl.access", m.acl_access);
  if (!m.acl_default.empty()) AddRecord(&records, "SCHILY.acl.default", m.acl_default);

  TarMember pax;
  pax.mode = 0644;
  pax.mtime_ns = m.mtime_ns;
  std::string out = UstarHeader("././@PaxHeader", 'x', pax, records.size());
  out += records;
  out += TarPadding(records.size());
  out += UstarHeader(m.path, m.typeflag, m, m.size);
  return out;
}

}  // namespace strata
