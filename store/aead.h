// The two AEADs of strata-store(5) over one-shot buffers, detached tags: XChaCha20-Poly1305 (IETF) for
// frames and sealed files, AES-256-GCM for block-cache values. libsodium's own code for both runs at
// about 1.7 and 1.9 GB/s on an AVX-512 core; OpenSSL's libcrypto has AVX-512 and VAES paths for the
// same algorithms (4.1 and 5.8 GB/s there), and decryption is most of the cost of reading an encrypted
// store. XChaCha20 is HChaCha20 (libsodium) plus IETF ChaCha20-Poly1305 under the derived key, exactly
// as libsodium composes it, so what is written is byte for byte what libsodium writes.
#pragma once

#include <cstddef>
#include <string_view>

namespace strata::aead {

constexpr size_t kKeySize = 32;
constexpr size_t kTagSize = 16;
constexpr size_t kXChaChaNonceSize = 24;
constexpr size_t kGcmNonceSize = 12;

enum class Algorithm { kXChaCha20Poly1305, kAes256Gcm };

// Encrypts `plaintext` into `cipher` (the same size) and writes the tag; `nonce` is 24 bytes for
// XChaCha20-Poly1305 and 12 for AES-256-GCM.
void Encrypt(Algorithm algorithm, const unsigned char* key, const unsigned char* nonce, std::string_view ad,
             std::string_view plaintext, unsigned char* cipher, unsigned char* tag);

// Decrypts `cipher` into `plaintext` (the same size) and checks the tag: false if it fails, and then
// `plaintext` holds garbage the caller must not use.
bool Decrypt(Algorithm algorithm, const unsigned char* key, const unsigned char* nonce, std::string_view ad,
             std::string_view cipher, const unsigned char* tag, unsigned char* plaintext);

}  // namespace strata::aead
