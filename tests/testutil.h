// Shared fixtures for unit tests: a scratch directory removed on destruction and seeded random data.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <string_view>

namespace strata::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// `n` pseudo-random bytes from a fixed seed, so failures reproduce.
std::string RandomBytes(size_t n, uint64_t seed);

void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

// BLAKE2b-256 straight from libsodium: the reference the store's hashing is checked against.
std::string Blake2b256(std::string_view in);
std::string Bytes(std::initializer_list<uint8_t> bytes);
// The pid of a process that has exited and been reaped: no process has it (until the kernel reuses it,
// which takes a full pid cycle).
int64_t DeadPid();
// One random edit of a non-empty string: a bit flipped, a byte deleted or a byte inserted.
void MutateOnce(std::string* s, std::mt19937_64& rng);

}  // namespace strata::test
