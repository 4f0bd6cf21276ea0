#include "store/manifest.h"

#include "store/coding.h"
#include "store/format.h"
#include "store/hash.h"

namespace strata {

std::string Manifest::Encode(std::string_view id_key) {
  std::string body;
  PutVarsint64(&body, time_ns);
  PutLengthPrefixed(&body, host);
  PutVarint64(&body, paths.size());
  for (const auto& p : paths) PutLengthPrefixed(&body, p);
  PutLengthPrefixed(&body, label);
  body.append(parent.View());
  PutFixed8(&body, multi_source ? 1 : 0);
  EncodeTreeEntry(root, &body);
  for (uint64_t v : {stats.files, stats.files_new, stats.files_changed, stats.files_unchanged, stats.dirs,
                     stats.other, stats.bytes, stats.bytes_read, stats.bytes_added, stats.errors}) {
    PutVarint64(&body, v);
  }
  PutVarint64(&body, warnings.size());
  for (const auto& w : warnings) PutLengthPrefixed(&body, w);
  if (!origin.IsZero()) body.append(origin.View());

  std::string out(format::kManifestMagic);
  PutFixed32(&out, origin.IsZero() ? format::kManifestVersionNoOrigin : format::kManifestVersion);
  PutFixed32(&out, static_cast<uint32_t>(body.size()));
  out.append(body);
  id = HashBytes(out, id_key);
  out.append(id.View());
  return out;
}

Result<Manifest> Manifest::Decode(std::string_view bytes, const std::string& what, std::string_view id_key) {
  auto corrupt = [&](const std::string& why) { return Status::Corruption(what + ": " + why); };
  if (bytes.size() < 16 + format::kChecksumSize || bytes.substr(0, 8) != format::kManifestMagic) {
    return corrupt("not a snapshot manifest (bad magic or truncated)");
  }
  uint32_t version = DecodeFixed32(bytes.data() + 8);
  if (version != format::kManifestVersion && version != format::kManifestVersionNoOrigin) {
    return Status::NotSupported(what + ": manifest version " + std::to_string(version) + " is not supported");
  }
  uint32_t body_len = DecodeFixed32(bytes.data() + 12);
  if (bytes.size() != 16 + uint64_t{body_len} + format::kChecksumSize) return corrupt("truncated manifest");
  std::string_view covered = bytes.substr(0, 16 + body_len);
  Manifest m;
  m.id = HashBytes(covered, id_key);
  if (m.id.View() != bytes.substr(covered.size())) return corrupt("manifest checksum mismatch (damaged)");
  Decoder d(bytes.substr(16, body_len));
  uint64_t npaths;
  std::string_view host, label, parent;
  uint8_t multi;
  if (!d.GetVarsint64(&m.time_ns) || !d.GetLengthPrefixed(&host, 4096) || !d.GetVarint64(&npaths) ||
      npaths > d.remaining()) {
    return corrupt("malformed manifest");
  }
  m.host = host;
  for (uint64_t i = 0; i < npaths; i++) {
    std::string_view p;
    if (!d.GetLengthPrefixed(&p, 1 << 16)) return corrupt("malformed source path");
    m.paths.emplace_back(p);
  }
  if (!d.GetLengthPrefixed(&label, 4096) || !d.GetBytes(32, &parent) || !d.GetFixed8(&multi) || multi > 1) {
    return corrupt("malformed manifest");
  }
  m.label = label;
  m.parent = ObjectId::FromBytes(parent);
  m.multi_source = multi == 1;
  if (!DecodeTreeEntry(&d, &m.root, true) || m.root.type != EntryType::kDirectory) {
    return corrupt("malformed root entry");
  }
  for (uint64_t* v :
       {&m.stats.files, &m.stats.files_new, &m.stats.files_changed, &m.stats.files_unchanged, &m.stats.dirs,
        &m.stats.other, &m.stats.bytes, &m.stats.bytes_read, &m.stats.bytes_added, &m.stats.errors}) {
    if (!d.GetVarint64(v)) return corrupt("malformed statistics");
  }
  uint64_t nwarn;
  if (!d.GetVarint64(&nwarn) || nwarn > d.remaining()) return corrupt("malformed warnings");
  for (uint64_t i = 0; i < nwarn; i++) {
    std::string_view w;
    if (!d.GetLengthPrefixed(&w, 1 << 16)) return corrupt("malformed warning");
    m.warnings.emplace_back(w);
  }
  if (version == format::kManifestVersion) {
    std::string_view origin;
    if (!d.GetBytes(32, &origin)) return corrupt("malformed origin");
    m.origin = ObjectId::FromBytes(origin);
    if (m.origin.IsZero()) return corrupt("version 2 manifest without an origin");
  }
  if (!d.done()) return corrupt("trailing bytes in manifest");
  return m;
}

}  // namespace strata
