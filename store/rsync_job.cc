#include "store/rsync_job.h"

#include <librsync.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <climits>
#include <cstdio>

namespace strata {
namespace {

// The largest block length SignatureBuilder produces; anything larger in a stored signature is garbage.
constexpr uint32_t kMaxBlockLength = 65536;

constexpr size_t kBufferSize = 256 * 1024;

// librsync reports a stalled job only while it has both input and output space. At end of input, or when
// loading a signature (no output), a job that never finished would spin here forever. A call or two
// without visible progress is legitimate (librsync issue #33), so allow a few before giving up.
constexpr int kMaxStalledCalls = 64;

struct JobDeleter {
  void operator()(rs_job_t* job) const { rs_job_free(job); }
};
struct SignatureDeleter {
  void operator()(rs_signature_t* sig) const { rs_free_sumset(sig); }
};
using JobPtr = std::unique_ptr<rs_job_t, JobDeleter>;
using SignaturePtr = std::unique_ptr<rs_signature_t, SignatureDeleter>;

Status FromRs(rs_result result, const std::string& what) {
  if (result == RS_MEM_ERROR) return Status::FromErrno(what, ENOMEM);
  return Status::Corruption(what + ": librsync: " + rs_strerror(result));
}

// Pushes `in` through `job` and hands all output to `sink`. Without `eof` it returns once librsync has
// taken all of `in` (keeping what it needs in its own buffers); with `eof` it runs the job to RS_DONE.
Status Pump(rs_job_t* job, std::string_view in, bool eof, char* out, size_t out_size, const ByteSink& sink,
            const std::string& what) {
  rs_buffers_t buf{};
  int stalled = 0;
  while (true) {
    if (buf.avail_in == 0 && !in.empty()) {
      // Bounded chunks also matter for correctness: a slack delta writes one LITERAL per call and keeps its
      // length in an int.
      size_t n = std::min(in.size(), kBufferSize);
      buf.next_in = const_cast<char*>(in.data());  // librsync only reads its input
      buf.avail_in = n;
      in.remove_prefix(n);
    }
    buf.eof_in = eof && in.empty() ? 1 : 0;
    buf.next_out = out;
    buf.avail_out = out_size;
    size_t in_before = buf.avail_in;
    rs_result result = rs_job_iter(job, &buf);
    if (result != RS_DONE && result != RS_BLOCKED) return FromRs(result, what);
    size_t produced = out_size - buf.avail_out;
    if (produced > 0) STRATA_RETURN_IF_ERROR(sink(std::string_view(out, produced)));
    if (result == RS_DONE) {
      if (buf.avail_in == 0 && in.empty()) return Status::Ok();
      return Status::Corruption(what + ": librsync finished before the end of its input");
    }
    if (!eof && buf.avail_in == 0 && in.empty()) return Status::Ok();
    if (produced == 0 && buf.avail_in == in_before) {
      if (++stalled > kMaxStalledCalls) return Status::Corruption(what + ": librsync makes no progress");
    } else {
      stalled = 0;
    }
  }
}

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

struct DeltaBuilder::State {
  State(ByteSink literal_sink, ByteSink raw_delta_sink)
      : parser(std::move(literal_sink)), raw_sink(std::move(raw_delta_sink)) {}

  SignaturePtr sig;
  JobPtr job;  // after `sig`, so it is destroyed first: the delta job points into the signature
  std::unique_ptr<char[]> out = std::make_unique_for_overwrite<char[]>(kBufferSize);
  DeltaParser parser;
  ByteSink raw_sink;
  uint64_t bytes_in = 0;
  Status error;

  Status Run(std::string_view in, bool eof) {
    if (!error.ok()) return error;
    if (job == nullptr) return Status::InvalidArgument("DeltaBuilder used after Finish");
    auto on_delta = [this](std::string_view bytes) {
      if (raw_sink) STRATA_RETURN_IF_ERROR(raw_sink(bytes));
      return parser.Feed(bytes);
    };
    error = Pump(job.get(), in, eof, out.get(), kBufferSize, on_delta, "delta");
    bytes_in += in.size();
    return error;
  }
};

DeltaBuilder::DeltaBuilder(std::unique_ptr<State> state) : state_(std::move(state)) {}
DeltaBuilder::DeltaBuilder(DeltaBuilder&&) noexcept = default;
DeltaBuilder& DeltaBuilder::operator=(DeltaBuilder&&) noexcept = default;
DeltaBuilder::~DeltaBuilder() = default;

Result<DeltaBuilder> DeltaBuilder::Create(std::string_view signature, ByteSink literal_sink,
                                          ByteSink raw_delta_sink) {
  // librsync asserts on, or allocates by, header values it does not expect; check them first.
  STRATA_ASSIGN_OR_RETURN(SignatureHeader header, ParseSignatureHeader(signature));
  if (header.magic != RS_RK_BLAKE2_SIG_MAGIC) {
    return Status::Corruption("librsync signature: magic " + Hex32(header.magic) +
                              " is not RabinKarp+BLAKE2b");
  }
  if (header.block_len == 0 || header.block_len > kMaxBlockLength) {
    return Status::Corruption("librsync signature: block length " + std::to_string(header.block_len) +
                              " out of range");
  }
  if (header.strong_len != kStrongLen) {
    return Status::Corruption("librsync signature: strong sum length " + std::to_string(header.strong_len) +
                              ", expected " + std::to_string(kStrongLen));
  }
  uint64_t body = signature.size() - kSignatureHeaderSize;
  constexpr uint64_t kEntrySize = 4 + kStrongLen;
  if (body % kEntrySize != 0 || body / kEntrySize > INT_MAX) {  // librsync counts blocks in an int
    return Status::Corruption("librsync signature: " + std::to_string(body) +
                              " bytes after the header are not a whole number of blocks");
  }

  auto state = std::make_unique<State>(std::move(literal_sink), std::move(raw_delta_sink));
  rs_signature_t* sig = nullptr;
  JobPtr load(rs_loadsig_begin(&sig));
  state->sig.reset(sig);
  STRATA_RETURN_IF_ERROR(Pump(load.get(), signature, true, nullptr, 0, nullptr, "loading signature"));
  load.reset();
  // rs_delta_begin asserts that the hash table exists.
  if (rs_result r = rs_build_hash_table(sig); r != RS_DONE) return FromRs(r, "indexing signature");
  state->job.reset(rs_delta_begin(sig));
  return DeltaBuilder(std::move(state));
}

Status DeltaBuilder::Update(std::string_view new_data) { return state_->Run(new_data, false); }

Status DeltaBuilder::Finish() {
  State& s = *state_;
  STRATA_RETURN_IF_ERROR(s.Run({}, true));
  s.job.reset();
  s.sig.reset();
  s.error = s.parser.Finish();
  if (s.error.ok() && s.parser.new_size() != s.bytes_in) {
    s.error = Status::Corruption("delta describes " + std::to_string(s.parser.new_size()) + " bytes, but " +
                                 std::to_string(s.bytes_in) + " were fed");
  }
  return s.error;
}

const std::vector<DeltaOp>& DeltaBuilder::ops() const { return state_->parser.ops(); }
uint64_t DeltaBuilder::new_size() const { return state_->parser.new_size(); }
uint64_t DeltaBuilder::literal_size() const { return state_->parser.literal_size(); }

}  // namespace strata
