// The headers of one member of a POSIX pax archive (POSIX.1-2001 / IEEE 1003.1 "pax" format): a pax
// extended header that carries whatever the ustar header cannot hold exactly (the whole path and link
// target, the mtime in nanoseconds, large ids and sizes, long owner names, xattrs as SCHILY.xattr.NAME and
// ACLs as SCHILY.acl.access/default, as GNU tar and star write them), followed by the ustar header itself.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace strata {

inline constexpr size_t kTarBlock = 512;

struct TarMember {
  std::string path;  // directories end in '/'
  char typeflag =
      '0';            // '0' file, '1' hard link, '2' symlink, '3' char dev, '4' block dev, '5' dir, '6' fifo
  uint32_t mode = 0;  // st_mode & 07777
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string uname;
  std::string gname;
  int64_t mtime_ns = 0;
  uint64_t size = 0;     // content bytes that follow (regular files only)
  std::string linkname;  // hard link or symlink target
  uint32_t devmajor = 0;
  uint32_t devminor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
  std::string acl_access;  // text form (posix_acl_text.h); empty for none
  std::string acl_default;
};

// The pax extended header (with its data, padded) and the ustar header of `m`: a multiple of kTarBlock.
std::string TarMemberHeaders(const TarMember& m);
// The zeros that pad `size` content bytes to a whole block.
std::string TarPadding(uint64_t size);
// The end of an archive: two zero blocks.
std::string TarTrailer();

}  // namespace strata
