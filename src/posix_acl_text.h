// POSIX ACLs as Linux stores them (the system.posix_acl_access and system.posix_acl_default xattrs) turned
// into the short text form of acl_to_text(3), which is how pax archives carry them (SCHILY.acl.access and
// SCHILY.acl.default, as star and GNU tar --acls write and read them). GNU tar does not restore these two
// xattrs from SCHILY.xattr records, so the export writes them this way.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace strata {

inline constexpr std::string_view kAclAccessXattr = "system.posix_acl_access";
inline constexpr std::string_view kAclDefaultXattr = "system.posix_acl_default";

// "user::rw-,user:1234:r--,group::r--,mask::r--,other::---"; none if `xattr` is not a well-formed
// version-2 ACL.
std::optional<std::string> PosixAclText(std::string_view xattr);

}  // namespace strata
