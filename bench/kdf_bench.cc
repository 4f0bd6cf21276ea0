// The cost of unlocking an encrypted store: one Argon2id derivation and one key unwrap, which every
// command on an encrypted store pays once. Prints the median of a few unlocks for each strength.
//
//   build/strata_kdf_bench [STRENGTH...] (default: interactive moderate sensitive)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "store/store_key.h"

namespace {

constexpr int kRuns = 5;

int Bench(strata::KdfStrength strength) {
  using Clock = std::chrono::steady_clock;
  auto password = strata::SecretBytes::CopyOf("benchmark password");
  strata::StoreHeader header;
  const strata::KdfParams kdf = strata::NewKdfParams(strength);
  if (!password.ok() || !strata::CreateStoreKey(&header, *password, kdf).ok()) {
    std::fprintf(stderr, "kdf_bench: could not create a key\n");
    return 1;
  }
  std::vector<double> seconds;
  for (int i = 0; i < kRuns; i++) {
    auto start = Clock::now();
    auto master = strata::UnlockStoreKey(header, *password, "bench");
    seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    if (!master.ok()) {
      std::fprintf(stderr, "kdf_bench: %s\n", master.status().message().c_str());
      return 1;
    }
  }
  std::sort(seconds.begin(), seconds.end());
  std::printf(
      "argon2id %-11s opslimit %u, memlimit %4llu MiB: unlock %.3f s (median of %d; min %.3f, max %.3f)\n",
      std::string(strata::KdfStrengthName(strength)).c_str(), kdf.opslimit,
      static_cast<unsigned long long>(kdf.memlimit >> 20), seconds[kRuns / 2], kRuns, seconds.front(),
      seconds.back());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> names(argv + 1, argv + argc);
  if (names.empty()) names = {"interactive", "moderate", "sensitive"};
  for (const std::string& name : names) {
    auto strength = strata::ParseKdfStrength(name);
    if (!strength.ok()) {
      std::fprintf(stderr, "kdf_bench: %s\n", strength.status().message().c_str());
      return 2;
    }
    if (int rc = Bench(*strength); rc != 0) return rc;
  }
  return 0;
}
