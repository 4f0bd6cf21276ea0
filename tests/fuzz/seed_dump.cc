// fuzz_seed_dump STORE OUTDIR: writes fuzz seeds taken from a real store (tests/fuzz/make_seeds.sh makes
// one with the strata binary). Files are copied whole by the script; this tool extracts what lives inside
// packs:
//   OUTDIR/tree/          every tree object
//   OUTDIR/file_version/  every version record with the chain below it (the file_version_fuzz input
//                         form), and the encoded extent map of every delta version
//   OUTDIR/frame_codec/   the first frame of some objects re-encoded in frame_params.h's context, and
//                         crafted zstd frames that lie about or overrun their declared size
#include <zstd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "store/coding.h"
#include "store/store.h"
#include "tests/fuzz/frame_params.h"

namespace {

using strata::Status;
namespace format = strata::format;

std::string out_dir;

void WriteSeed(const std::string& target, const std::string& name, std::string_view bytes) {
  std::ofstream(out_dir + "/" + target + "/seed-" + name, std::ios::binary).write(bytes.data(), bytes.size());
}

// A frame_codec_fuzz input: the frame without its check.
std::string FrameInput(std::string_view raw) {
  const strata::FrameCodec codec(3);
  std::string stored;
  codec.Encode(raw, strata::fuzz::kFrameSalt, strata::fuzz::kFrameIndex, &stored);
  stored.resize(stored.size() - format::kFrameCheckSize);
  return stored;
}

std::string ZstdFrame(std::string_view raw, bool with_size) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, with_size ? 1 : 0);
  std::string out(ZSTD_compressBound(raw.size()), '\0');
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), raw.data(), raw.size());
  ZSTD_freeCCtx(cctx);
  out.resize(n);
  return out;
}

void WriteCraftedFrames() {
  const std::string raw(strata::fuzz::kFrameRawLen, 'z');
  const std::string encoding_zstd(1, static_cast<char>(format::FrameEncoding::kZstd));
  WriteSeed("frame_codec", "zeros", std::string(1, static_cast<char>(format::FrameEncoding::kZeros)));
  WriteSeed("frame_codec", "raw", std::string(1, '\0') + raw);
  WriteSeed("frame_codec", "zstd", encoding_zstd + ZstdFrame(raw, true));
  WriteSeed("frame_codec", "zstd-no-size", encoding_zstd + ZstdFrame(raw, false));
  // The first frame declares the right size; the second one decompresses past it.
  WriteSeed("frame_codec", "zstd-overrun", encoding_zstd + ZstdFrame(raw, true) + ZstdFrame("more", true));
}

Status Dump(const std::string& store_dir) {
  STRATA_ASSIGN_OR_RETURN(auto store, strata::Store::Open(strata::Env::Default(), store_dir));
  strata::Env* env = store->env();
  const std::string packs_dir = store_dir + "/" + std::string(format::kPacksDir);
  STRATA_ASSIGN_OR_RETURN(auto shards, env->ListDir(packs_dir));
  int frames = 0;
  for (const std::string& shard : shards) {
    STRATA_ASSIGN_OR_RETURN(auto names, env->ListDir(packs_dir + "/" + shard));
    for (const std::string& name : names) {
      strata::PackId id;
      if (!name.ends_with(format::kPackSuffix) || !strata::ParsePackId(name.substr(0, 32), &id)) continue;
      STRATA_ASSIGN_OR_RETURN(auto entries, store->packs().ReadTrailer(id));
      for (const strata::IndexEntry& e : entries) {
        STRATA_ASSIGN_OR_RETURN(std::string bytes, store->ReadObject(e.id, e.type));
        const std::string hex = e.id.Hex().substr(0, 16);
        if (frames < 8 && !bytes.empty()) {
          WriteSeed("frame_codec", hex,
                    FrameInput(std::string_view(bytes).substr(0, strata::fuzz::kFrameRawLen)));
          frames++;
        }
        if (e.type == format::ObjectType::kTree) WriteSeed("tree", hex, bytes);
        if (e.type != format::ObjectType::kVersion) continue;
        // The chain from its FULL version up to this one, oldest first.
        std::vector<std::string> chain{bytes};
        STRATA_ASSIGN_OR_RETURN(strata::FileVersion v, store->LoadVersion(e.id));
        while (v.kind == strata::FileVersion::Kind::kDelta) {
          STRATA_ASSIGN_OR_RETURN(std::string base, store->ReadObject(v.base, format::ObjectType::kVersion));
          chain.push_back(std::move(base));
          STRATA_ASSIGN_OR_RETURN(v, store->LoadVersion(v.base));
        }
        std::string seed;
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) strata::PutLengthPrefixed(&seed, *it);
        WriteSeed("file_version", hex, seed);
        if (chain.size() > 1) {
          STRATA_ASSIGN_OR_RETURN(auto map, store->GetExtentMap(e.id));
          std::string encoded;
          map->Encode(&encoded);
          WriteSeed("file_version", "map-" + hex, encoded);
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fuzz_seed_dump STORE OUTDIR\n";
    return 2;
  }
  out_dir = argv[2];
  WriteCraftedFrames();
  Status s = Dump(argv[1]);
  if (!s.ok()) {
    std::cerr << "fuzz_seed_dump: " << s.message() << "\n";
    return 1;
  }
  return 0;
}
