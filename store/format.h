// Constants of the on-disk format, mirroring man/strata-store.5. A change here is a change of the format
// contract: update the man page in the same commit, and, once a format version has been released, bump
// the version of the file kind it touches (version 1 is still in development).
#pragma once

#include <cstdint>
#include <string_view>

namespace strata::format {

// Magics follow PNG's pattern: a high-bit byte first (catches 7-bit transports), the kind in ASCII,
// and a trailing LF (catches newline translation).
inline constexpr std::string_view kHeaderMagic = "\x89STRATA\n";
inline constexpr std::string_view kPackMagic = "\x89STRPAK\n";
inline constexpr std::string_view kPackFooterMagic = "\x89STREND\n";
inline constexpr std::string_view kIndexMagic = "\x89STRIDX\n";
inline constexpr std::string_view kManifestMagic = "\x89STRSNP\n";
inline constexpr std::string_view kSyncStreamMagic = "\x89STRSYN\n";
inline constexpr size_t kMagicSize = 8;

inline constexpr uint32_t kStoreVersion = 1;
inline constexpr uint32_t kPackVersion = 2;
inline constexpr uint32_t kIndexVersion = 1;
// Version 2 adds the origin of a snapshot copied from another store (strata sync); a manifest without one
// is still written as version 1, so that stores nothing was synced into stay readable by older readers.
inline constexpr uint32_t kManifestVersion = 2;
inline constexpr uint32_t kManifestVersionNoOrigin = 1;
inline constexpr uint32_t kSyncStreamVersion = 1;
inline constexpr uint8_t kTreeVersion = 1;
inline constexpr uint8_t kFileVersionRecordVersion = 1;

// Store directory layout.
inline constexpr std::string_view kHeaderFile = "strata-store";
inline constexpr std::string_view kPacksDir = "packs";
inline constexpr std::string_view kIndexDir = "index";
inline constexpr std::string_view kSnapshotsDir = "snapshots";
inline constexpr std::string_view kTmpDir = "tmp";
inline constexpr std::string_view kLocksDir = "locks";  // created on first use: older stores lack it
inline constexpr std::string_view kPackSuffix = ".pack";
inline constexpr std::string_view kIndexSuffix = ".idx";
inline constexpr std::string_view kManifestSuffix = ".snap";
inline constexpr std::string_view kLockSuffix = ".lock";

enum class ObjectType : uint8_t {
  kData = 1,       // file content (FULL) or the literal stream of a delta
  kTree = 2,       // one directory (DirIndex)
  kVersion = 3,    // how to rebuild one file content: FULL or DELTA on a base version
  kSignature = 4,  // librsync signature stream of one file content
};
inline constexpr uint8_t kMaxObjectType = 4;

// Frames: every object is a sequence of independently decodable frames of 2^frame_log2 raw bytes
// (the last may be shorter), each followed by a 16-byte check.
// kZeros frames have no body: the raw bytes are all zero (a hole costs 21 bytes a frame: the check and the
// frame-table entry).
enum class FrameEncoding : uint8_t { kRaw = 0, kZstd = 1, kZeros = 2 };
inline constexpr uint8_t kMinFrameLog2 = 12;  // 4 KiB
inline constexpr uint8_t kMaxFrameLog2 = 20;  // 1 MiB
inline constexpr size_t kFrameCheckSize = 16;
inline constexpr size_t kFrameOverhead = 1 + kFrameCheckSize;
inline constexpr size_t kSaltSize = 16;

// The header's encryption byte. Mode 1: XChaCha20-Poly1305 (IETF) with keys under a random master key,
// itself wrapped by an Argon2id key-encryption key (strata-store(5), "ENCRYPTION KEYS").
inline constexpr uint8_t kEncryptionNone = 0;
inline constexpr uint8_t kEncryptionXChaCha20Argon2id = 1;
inline constexpr uint8_t kKdfArgon2id13 = 2;  // libsodium's crypto_pwhash_ALG_ARGON2ID13
inline constexpr size_t kKdfSaltSize = 16;
inline constexpr size_t kKeySize = 32;
inline constexpr size_t kAeadNonceSize = 24;
inline constexpr size_t kAeadTagSize = 16;
inline constexpr size_t kWrappedKeySize = kKeySize + kAeadTagSize;
// In an encrypted store a frame's check slot holds its AEAD tag and its nonce follows the encoding byte.
inline constexpr size_t kSealedFrameOverhead = 1 + kAeadNonceSize + kAeadTagSize;
// A sealed file (index file, manifest, pack trailer): nonce, ciphertext, tag.
inline constexpr size_t kSealedFileOverhead = kAeadNonceSize + kAeadTagSize;
// Bounds on what a header may ask of the KDF: sodium's minimums, and maximums that keep a damaged or
// crafted header from making an unlock run for hours or allocate more than a machine has.
inline constexpr uint32_t kKdfMinOps = 1;
inline constexpr uint32_t kKdfMaxOps = 64;
inline constexpr uint64_t kKdfMinMem = 8ull << 10;
inline constexpr uint64_t kKdfMaxMem = 16ull << 30;
// crypto_kdf context of every subkey of the master key, and their ids.
inline constexpr std::string_view kSubkeyContext = "strata01";
enum class SubkeyId : uint64_t { kFrame = 1, kObjectId = 2, kCache = 3, kFile = 4 };
inline constexpr size_t kPackIdSize = 16;

// Fixed-size index entry (pack trailers and index files): see strata-store(5).
inline constexpr size_t kIndexEntrySize = 96;
inline constexpr size_t kPackHeaderSize = 16;
inline constexpr size_t kPackFooterSize = 64;
inline constexpr size_t kIndexHeaderSize = 16;
inline constexpr size_t kChecksumSize = 32;

// Limits that bound what a reader will allocate for metadata read from disk.
inline constexpr uint64_t kMaxMetadataObjectSize = 1ull << 30;  // trees, version records, signatures
inline constexpr uint64_t kMaxManifestSize = 16ull << 20;
// Encrypted stores read index files whole (plain ones map them): 2^30 bytes is 11 million objects.
inline constexpr uint64_t kMaxIndexFileSize = 1ull << 30;
inline constexpr uint64_t kMaxHeaderSize = 64ull << 10;
inline constexpr uint64_t kMaxNameLength = 4096;
// Directory nesting a reader walks: twice what a PATH_MAX-long path can hold ("a/" a level). Deeper, or a
// tree that contains itself (ids are not verified on read), can only come from a crafted store.
inline constexpr size_t kMaxTreeDepth = 4096;

}  // namespace strata::format
