// csystem_crypto: the few OpenSSL operations Auth needs, as plain C functions.
// Why a shim: EVP cipher setup uses ctrl macros and context lifetimes that are clumsy and easy to
// get wrong from Swift; keeping them here gives Swift one call per operation with explicit lengths.
#ifndef CSYSTEM_CRYPTO_H
#define CSYSTEM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/// Fills `out` with `len` cryptographically secure random bytes; returns 1 on success, 0 on failure.
int csystem_random_bytes(uint8_t *out, size_t len);

/// SHA-512 over `salt` followed by `data` repeated `rounds` times; writes 64 bytes to `out`. Returns 1 on success.
int csystem_sha512_salted_rounds(const uint8_t *salt, size_t salt_len,
                                 const uint8_t *data, size_t data_len,
                                 uint32_t rounds, uint8_t out[64]);

/// SHA-256 of `data`; writes 32 bytes to `out`. Returns 1 on success.
int csystem_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

/// HMAC-SHA256 of `data` under `key`; writes 32 bytes to `out`. Returns 1 on success.
int csystem_hmac_sha256(const uint8_t *key, size_t key_len,
                        const uint8_t *data, size_t data_len, uint8_t out[32]);

/// Constant-time comparison of two equal-length buffers; returns 1 when equal.
int csystem_memeq(const uint8_t *a, const uint8_t *b, size_t len);

/// AES-256-GCM encryption: 32-byte key, 12-byte nonce, optional AAD; writes `plain_len` bytes of
/// ciphertext to `out` and the 16-byte tag to `tag`. Returns 1 on success.
int csystem_aes256gcm_seal(const uint8_t key[32], const uint8_t nonce[12],
                           const uint8_t *aad, size_t aad_len,
                           const uint8_t *plain, size_t plain_len,
                           uint8_t *out, uint8_t tag[16]);

/// AES-256-GCM decryption; returns 1 only when the tag authenticates key, nonce, AAD and ciphertext.
int csystem_aes256gcm_open(const uint8_t key[32], const uint8_t nonce[12],
                           const uint8_t *aad, size_t aad_len,
                           const uint8_t *cipher, size_t cipher_len,
                           const uint8_t tag[16], uint8_t *out);

/// AES-128-CBC decryption with PKCS#7 unpadding (reading legacy Fernet values); writes at most
/// `cipher_len` bytes to `out` and their count to `out_len`. Returns 1 on success, 0 on bad padding or error.
int csystem_aes128cbc_decrypt(const uint8_t key[16], const uint8_t iv[16],
                              const uint8_t *cipher, size_t cipher_len,
                              uint8_t *out, size_t *out_len);

#endif
