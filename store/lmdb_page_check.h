// A raw structural check of an LMDB 0.9 data file, page by page, without LMDB. LMDB trusts every page
// header and node it meets: a damaged bound or node offset in a leaf makes a later insert write outside
// its page (a crash, or silently broken memory), and no read through LMDB's API notices, because the
// entries still read back. So before a cache file is used, every page reachable from the current meta
// page is checked: its number, type and bounds, every node inside it, overflow runs, and that no page is
// reached twice. Meant for a child process (see lmdb_walk_check.h); it only reads the file.
#pragma once

#include <string>

namespace strata {

// True if every page of the file `data_file` reachable from its newest meta page is sound, page size
// `page_size`. A file with any doubt is unsound; the caller then rebuilds it.
bool LmdbPagesAreSound(const std::string& data_file, size_t page_size);

}  // namespace strata
