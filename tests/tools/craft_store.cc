// craft_store: makes a store that is valid down to every checksum but hostile in one way, so that the
// hostile-store tests (tests/cli/hostile_store_test.sh) reach the readers' validation instead of stopping
// at a checksum. Objects go through the store's own writer APIs (PackWriter, the tree, version record and
// manifest encoders, ObjectIndex::Write); the encoders do not validate, which is what lets them write what
// a backup never would. Two scenarios touch a sealed pack afterwards: frame-overflow patches a frame (and
// makes its check valid), sparse-giant-object extends the file sparsely.
//
// usage: craft_store STORE SCENARIO GOOD_FILE OUTSIDE
// STORE must not exist. Its one snapshot holds `good.txt` (GOOD_FILE's bytes: the file every reader must
// still serve) and `evil`, made hostile by SCENARIO; symlinks aim at OUTSIDE. Prints the id of the object
// readers must name: `evil`'s tree or version, or the data object behind it ("-" for links-out, which is
// valid and must restore as links; for deep-tree the top tree, while readers name the one too deep).
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "store/coding.h"
#include "store/delta_ops.h"
#include "store/hash.h"
#include "store/signature_builder.h"
#include "store/store.h"
#include "tests/fuzz/checksums.h"

namespace strata {
namespace {

constexpr uint8_t kFrameLog2 = 12;
constexpr int64_t kTime = 1764000000LL * 1000000000LL;

void Die(const Status& s) {
  if (s.ok()) return;
  std::cerr << "craft_store: " << s.message() << "\n";
  std::exit(1);  // NOLINT(concurrency-mt-unsafe): a single-threaded tool
}

// What a scenario made: the root's `evil` entry, the object readers must name, and an optional change to
// the index entries before they are committed.
struct Crafted {
  TreeEntry evil;
  std::string object = "-";
  std::function<void(std::vector<IndexEntry>*)> edit;
};

class Crafter {
 public:
  explicit Crafter(Store* store) : store_(store), pack_(store->NewPackWriter()) {}

  ObjectId Put(format::ObjectType type, const ObjectId& id, std::string_view bytes) {
    if (written_.insert(id).second) Die(pack_->WriteObject(type, id, bytes, kFrameLog2).status());
    return id;
  }
  ObjectId PutMetadata(format::ObjectType type, std::string_view bytes) {
    return Put(type, DeriveObjectId(type, HashBytes(bytes)), bytes);
  }

  // A FULL version record of `content`, with its payload and signature written; the record itself is not.
  FileVersion Full(std::string_view content) {
    SignatureBuilder sig(1024);
    sig.Update(content);
    FileVersion v;
    v.size = content.size();
    v.signature = PutMetadata(format::ObjectType::kSignature, sig.FinishSignature(&v.content_hash));
    v.payload =
        Put(format::ObjectType::kData, DeriveObjectId(format::ObjectType::kData, v.content_hash), content);
    return v;
  }
  // A DELTA record on `base` copying all of it, with an empty literal stream.
  FileVersion CopyAll(const ObjectId& base, const FileVersion& base_version) {
    FileVersion v = base_version;
    v.kind = FileVersion::Kind::kDelta;
    v.base = base;
    v.depth = base_version.depth + 1;
    v.literal_size = 0;
    v.payload = PutMetadata(format::ObjectType::kData, "");
    v.ops.clear();
    EncodeOps({{DeltaOp::Kind::kCopy, 0, base_version.size}}, &v.ops);
    return v;
  }
  ObjectId PutVersion(const FileVersion& v) {
    return PutVersion(v, DeriveObjectId(format::ObjectType::kVersion, HashBytes(v.Encode())));
  }
  ObjectId PutVersion(const FileVersion& v, const ObjectId& id) {
    return Put(format::ObjectType::kVersion, id, v.Encode());
  }
  // Entries are encoded in the order given, unchecked.
  ObjectId PutTree(std::vector<TreeEntry> entries) {
    return PutMetadata(format::ObjectType::kTree, Tree{std::move(entries)}.Encode());
  }

  void Commit(const Crafted& crafted, const ObjectId& root_tree) {
    Die(pack_->Flush());
    std::vector<IndexEntry> entries = pack_->TakeSealedEntries();
    if (crafted.edit) crafted.edit(&entries);
    Die(ObjectIndex::Write(store_->env(), store_->path(), std::move(entries)).status());
    Manifest m;
    m.time_ns = kTime;
    m.host = "crafted";
    m.paths = {"/crafted"};
    m.root.type = EntryType::kDirectory;
    m.root.mode = 0755;
    m.root.nlink = 2;
    m.root.mtime_ns = m.root.ctime_ns = kTime;
    m.root.ref = root_tree;
    Die(store_->CommitManifest(&m));
  }

 private:
  Store* store_;
  std::unique_ptr<PackWriter> pack_;
  std::unordered_set<ObjectId, ObjectIdHash> written_;
};

TreeEntry FileEntry(std::string name, const ObjectId& version, uint64_t size) {
  TreeEntry e;
  e.name = std::move(name);
  e.type = EntryType::kRegular;
  e.mode = 0644;
  e.size = size;
  e.mtime_ns = e.ctime_ns = kTime;
  e.ref = version;
  return e;
}

TreeEntry DirEntry(std::string name, const ObjectId& tree) {
  TreeEntry e = FileEntry(std::move(name), tree, 0);
  e.type = EntryType::kDirectory;
  e.mode = 0755;
  e.nlink = 2;
  return e;
}

TreeEntry LinkEntry(std::string name, std::string target) {
  TreeEntry e = FileEntry(std::move(name), ObjectId(), 0);
  e.type = EntryType::kSymlink;
  e.mode = 0777;
  e.size = target.size();
  e.symlink_target = std::move(target);
  return e;
}

Crafted EvilDir(const ObjectId& tree) { return {DirEntry("evil", tree), tree.Hex(), {}}; }
Crafted EvilFile(const ObjectId& version, uint64_t size) {
  return {FileEntry("evil", version, size), version.Hex(), {}};
}

// A directory holding an entry named `name`, then one named "b" (a duplicate when `name` is "b").
Crafted BadName(Crafter* c, const std::string& name) {
  FileVersion v = c->Full("x\n");
  ObjectId version = c->PutVersion(v);
  return EvilDir(c->PutTree({FileEntry(name, version, v.size), FileEntry("b", version, v.size)}));
}

// A symlink out of the destination, then a directory of the same name holding a file: restored naively,
// the file lands in OUTSIDE.
Crafted LinkThenDir(Crafter* c, const std::string& outside) {
  FileVersion v = c->Full("written through the link\n");
  ObjectId inner = c->PutTree({FileEntry("pwned", c->PutVersion(v), v.size)});
  return EvilDir(c->PutTree({LinkEntry("a", outside), DirEntry("a", inner)}));
}

// Links aimed outside, each valid on its own: they come back as links and are never followed.
Crafted LinksOut(Crafter* c, const std::string& outside) {
  Crafted out =
      EvilDir(c->PutTree({LinkEntry("abs", outside), LinkEntry("rel", "../../../../../../.." + outside)}));
  out.object = "-";
  return out;
}

// Two versions that are each other's base, with consistent depths.
Crafted CyclicChain(Crafter* c) {
  FileVersion full = c->Full("cycle\n");
  const ObjectId a_id = DeriveObjectId(format::ObjectType::kVersion, HashBytes("crafted a"));
  const ObjectId b_id = DeriveObjectId(format::ObjectType::kVersion, HashBytes("crafted b"));
  FileVersion a = c->CopyAll(b_id, full);
  FileVersion b = c->CopyAll(a_id, full);
  a.depth = 2;
  b.depth = 1;
  c->PutVersion(a, a_id);
  c->PutVersion(b, b_id);
  return EvilFile(a_id, full.size);
}

// A consistent chain far longer than any max_chain: `links` deltas, each copying its whole base.
Crafted DeepChain(Crafter* c, uint32_t links) {
  FileVersion v = c->Full("deep\n");
  ObjectId id = c->PutVersion(v);
  for (uint32_t i = 0; i < links; i++) {
    v = c->CopyAll(id, v);
    v.content_hash = HashBytes("link " + std::to_string(i));  // distinct records, distinct ids
    id = c->PutVersion(v);
  }
  return EvilFile(id, v.size);
}

// A version record, and its entry, declaring 2^62 bytes; its content object holds a few.
Crafted GiantSize(Crafter* c) {
  FileVersion v = c->Full("small\n");
  v.size = uint64_t{1} << 62;
  return EvilFile(c->PutVersion(v), v.size);
}

// An entry declaring 2^62 bytes whose version record is sound and small.
Crafted GiantEntry(Crafter* c) {
  FileVersion v = c->Full("small\n");
  return EvilFile(c->PutVersion(v), uint64_t{1} << 62);
}

// Delta ops copying past the end of their 10-byte base, or producing 20 bytes for a 10-byte record.
Crafted BadOps(Crafter* c, bool past_base) {
  FileVersion base = c->Full("0123456789");
  FileVersion d = c->CopyAll(c->PutVersion(base), base);
  d.ops.clear();
  if (past_base) {
    EncodeOps({{DeltaOp::Kind::kCopy, 4, 10}}, &d.ops);
  } else {
    EncodeOps({{DeltaOp::Kind::kCopy, 0, 10}, {DeltaOp::Kind::kCopy, 0, 10}}, &d.ops);
  }
  return EvilFile(c->PutVersion(d), d.size);
}

// A FULL payload's only frame: its zstd header declares the size the index entry gives (kDeclared), its
// blocks decompress to more (kActual). The frame check is made valid for kDeclared, so only the decoder
// can catch it.
constexpr size_t kDeclared = 3000;
constexpr size_t kActual = 4096;

void PatchFrameOverflow(const std::string& store_dir, IndexEntry* entry) {
  const std::string path = PackPath(store_dir, entry->pack);
  std::string pack;
  {
    std::ifstream f(path, std::ios::binary);
    pack.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  const size_t frame_len = DecodeFixed32(pack.data() + entry->offset + entry->stored_len - 4);
  std::string encoded = pack.substr(entry->offset, frame_len - format::kFrameCheckSize);
  if (encoded[0] != static_cast<char>(format::FrameEncoding::kZstd))
    Die(Status::Corruption("frame is not zstd"));
  // Frame header (RFC 8878, 3.1.1.1): magic(4), descriptor, [window], [dictionary id], content size.
  const auto fhd = static_cast<uint8_t>(encoded[1 + 4]);
  const size_t dict_bytes[4] = {0, 1, 2, 4};
  const size_t fcs_at = 1 + 4 + 1 + (((fhd >> 5) & 1) != 0 ? 0 : 1) + dict_bytes[fhd & 3];
  if ((fhd >> 6) != 1) Die(Status::Corruption("unexpected zstd content size field"));
  const uint16_t field = kDeclared - 256;  // the two-byte form stores the size minus 256
  encoded[fcs_at] = static_cast<char>(field & 0xff);
  encoded[fcs_at + 1] = static_cast<char>(field >> 8);
  if (ZSTD_getFrameContentSize(encoded.data() + 1, encoded.size() - 1) != kDeclared)
    Die(Status::Corruption("zstd content size patch did not take"));
  pack.replace(entry->offset, encoded.size(), encoded);
  pack.replace(entry->offset + encoded.size(), format::kFrameCheckSize,
               fuzz::FrameCheck(entry->salt, 0, kDeclared, encoded));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(pack.data(), static_cast<std::streamsize>(pack.size()));
  if (!out.flush()) Die(Status::FromErrno("rewrite " + path, errno));
  entry->raw_size = kDeclared;
}

// Applies `change` to the index entry of `id`.
std::function<void(std::vector<IndexEntry>*)> EditEntry(const ObjectId& id,
                                                        const std::function<void(IndexEntry*)>& change) {
  return [id, change](std::vector<IndexEntry>* entries) {
    for (IndexEntry& e : *entries) {
      if (e.id == id) change(&e);
    }
  };
}

Crafted FrameOverflow(Crafter* c, const std::string& store_dir) {
  FileVersion v = c->Full(std::string(kActual, 'z'));
  v.size = kDeclared;
  Crafted out = EvilFile(c->PutVersion(v), v.size);
  out.object = v.payload.Hex();
  out.edit = EditEntry(v.payload, [store_dir](IndexEntry* e) { PatchFrameOverflow(store_dir, e); });
  return out;
}

Crafted IndexOutsidePack(Crafter* c) {
  FileVersion v = c->Full("the index points past the pack\n");
  Crafted out = EvilFile(c->PutVersion(v), v.size);
  out.object = v.payload.Hex();
  out.edit = EditEntry(v.payload, [](IndexEntry* e) { e->offset += uint64_t{1} << 40; });
  return out;
}

// A content object declaring 2^50 bytes in 2^38 frames, in a pack made sparse to the size that claim
// needs (5.8 TB, of which only the real objects take disk space): a reader sizing the frame table from the
// entry would try to allocate terabytes.
Crafted SparseGiantObject(Crafter* c, const std::string& store_dir) {
  FileVersion v = c->Full("a few real bytes\n");
  v.size = uint64_t{1} << 50;
  Crafted out = EvilFile(c->PutVersion(v), v.size);
  out.object = v.payload.Hex();
  out.edit = EditEntry(v.payload, [store_dir](IndexEntry* e) {
    e->raw_size = uint64_t{1} << 50;
    e->stored_len = e->FrameCount() * (format::kFrameOverhead + 4);
    const std::string path = PackPath(store_dir, e->pack);
    if (truncate(path.c_str(), static_cast<off_t>(e->offset + e->stored_len)) != 0)
      Die(Status::FromErrno("extend " + path, errno));
  });
  return out;
}

// A directory that contains itself: its entry "d" names the tree's own id (ids are not verified on read).
Crafted CyclicTree(Crafter* c) {
  FileVersion v = c->Full("in the cycle\n");
  const ObjectId self = DeriveObjectId(format::ObjectType::kTree, HashBytes("crafted cycle"));
  c->Put(format::ObjectType::kTree, self,
         Tree{{DirEntry("d", self), FileEntry("f", c->PutVersion(v), v.size)}}.Encode());
  return EvilDir(self);
}

// Directories nested `depth` deep, each a distinct tree.
Crafted DeepTree(Crafter* c, uint32_t depth) {
  FileVersion v = c->Full("at the bottom\n");
  ObjectId tree = c->PutTree({FileEntry("f", c->PutVersion(v), v.size)});
  for (uint32_t i = 0; i < depth; i++) tree = c->PutTree({DirEntry("d", tree)});
  return EvilDir(tree);
}

// A directory of `n` files, each naming a version record no index file lists: `n` damaged objects, from
// a tree of about 50 bytes an entry (check lists the first 1000 and counts the others).
constexpr uint32_t kWideMissing = 5000;
Crafted WideMissing(Crafter* c, uint32_t n) {
  std::vector<TreeEntry> entries;
  entries.reserve(n);
  for (uint32_t i = 0; i < n; i++) {
    char name[16];
    std::snprintf(name, sizeof name, "%08u", i);
    entries.push_back(FileEntry(name, HashBytes(name), 1));
  }
  return EvilDir(c->PutTree(std::move(entries)));
}

}  // namespace
}  // namespace strata

int main(int argc, char** argv) {
  using namespace strata;  // NOLINT(google-build-using-namespace): a tool's main
  if (argc != 5) {
    std::cerr << "usage: craft_store STORE SCENARIO GOOD_FILE OUTSIDE\n";
    return 2;
  }
  const std::string dir = argv[1];
  const std::string scenario = argv[2];
  const std::string outside = argv[4];
  std::ifstream in(argv[3], std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Die(Store::Init(Env::Default(), dir, StoreParams()));
  auto opened = Store::Open(Env::Default(), dir);
  Die(opened.status());
  Crafter c(opened->get());

  const std::map<std::string, std::function<Crafted()>> scenarios = {
      {"name-dotdot", [&] { return BadName(&c, ".."); }},
      {"name-dot", [&] { return BadName(&c, "."); }},
      {"name-empty", [&] { return BadName(&c, ""); }},
      {"name-slash", [&] { return BadName(&c, "../../escaped"); }},
      {"name-nul", [&] { return BadName(&c, std::string("a\0b", 3)); }},
      {"duplicate-names", [&] { return BadName(&c, "b"); }},
      {"link-then-dir", [&] { return LinkThenDir(&c, outside); }},
      {"links-out", [&] { return LinksOut(&c, outside); }},
      {"cyclic-chain", [&] { return CyclicChain(&c); }},
      {"deep-chain", [&] { return DeepChain(&c, 5000); }},
      {"giant-size", [&] { return GiantSize(&c); }},
      {"giant-entry", [&] { return GiantEntry(&c); }},
      {"copy-past-base", [&] { return BadOps(&c, true); }},
      {"ops-overrun", [&] { return BadOps(&c, false); }},
      {"frame-overflow", [&] { return FrameOverflow(&c, dir); }},
      {"index-outside-pack", [&] { return IndexOutsidePack(&c); }},
      {"sparse-giant-object", [&] { return SparseGiantObject(&c, dir); }},
      {"wide-missing", [&] { return WideMissing(&c, kWideMissing); }},
      {"cyclic-tree", [&] { return CyclicTree(&c); }},
      {"deep-tree", [&] { return DeepTree(&c, 100000); }},
  };
  auto it = scenarios.find(scenario);
  if (it == scenarios.end()) {
    std::cerr << "craft_store: unknown scenario " << scenario << "\n";
    return 2;
  }
  Crafted crafted = it->second();
  FileVersion g = c.Full(good);
  ObjectId root = c.PutTree({crafted.evil, FileEntry("good.txt", c.PutVersion(g), g.size)});
  c.Commit(crafted, root);
  std::cout << crafted.object << "\n";
  return 0;
}
