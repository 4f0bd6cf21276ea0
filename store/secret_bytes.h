// SecretBytes: a key or password in memory libsodium guards (sodium_malloc: guard pages, a canary, mlock
// where allowed), read-only once filled, zeroed before it is freed. Move-only, so exactly one owner wipes
// it; nothing secret is ever copied into a std::string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "store/status.h"

namespace strata {

class SecretBytes {
 public:
  SecretBytes() = default;  // empty
  // `n` zero bytes, writable through mutable_data() until Seal(). Fails only when memory runs out.
  static Result<SecretBytes> Allocate(size_t n);
  // A sealed copy of `bytes`.
  static Result<SecretBytes> CopyOf(std::string_view bytes);
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  uint8_t* mutable_data() { return data_; }  // only before Seal(): afterwards a write faults
  void Seal();                               // makes the bytes read-only
  // A shorter secret of the first `n` bytes (a password read into a larger buffer), sealed.
  Result<SecretBytes> Prefix(size_t n) const;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }
  bool Equals(const SecretBytes& other) const;  // constant time for equal sizes

  // Called with the bytes right after they are zeroed and before they are freed, so tests can check the
  // wipe on the memory itself. Not for production use; nullptr removes it.
  using WipeObserver = void (*)(const uint8_t* data, size_t size);
  static void SetWipeObserverForTest(WipeObserver observer);

 private:
  void Release();
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace strata
