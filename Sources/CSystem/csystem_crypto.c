// OpenSSL 3 implementations behind csystem_crypto.h. Every function frees what it allocates on
// every path and reports failure with 0 rather than aborting, so Swift can turn it into an error.
#include "csystem_crypto.h"

#include <limits.h>
#include <pthread.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

int csystem_random_bytes(uint8_t *out, size_t len) {
    if (len > INT_MAX) return 0;
    if (len == 0) return 1;
    return RAND_bytes(out, (int)len) == 1;
}

int csystem_sha512_salted_rounds(const uint8_t *salt, size_t salt_len,
                                 const uint8_t *data, size_t data_len,
                                 uint32_t rounds, uint8_t out[64]) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return 0;
    int ok = EVP_DigestInit_ex(ctx, EVP_sha512(), NULL) == 1
          && EVP_DigestUpdate(ctx, salt, salt_len) == 1;
    for (uint32_t i = 0; ok && i < rounds; i++) {
        ok = EVP_DigestUpdate(ctx, data, data_len) == 1;
    }
    unsigned int written = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, out, &written) == 1 && written == 64;
    EVP_MD_CTX_free(ctx);
    return ok;
}

// SHA-256 runs on every token request (the identity cache's key). EVP_Digest(EVP_sha256()) looks the
// algorithm up in the provider and allocates a context on each call, most of its cost for a short
// input; the algorithm is fetched once and each thread keeps one context (freed at thread exit).
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static pthread_key_t sha256_ctx_key;

static void sha256_ctx_free(void *ctx) { EVP_MD_CTX_free(ctx); }

static void sha256_setup(void) {
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (pthread_key_create(&sha256_ctx_key, sha256_ctx_free) != 0) {
        EVP_MD_free(sha256_md);
        sha256_md = NULL;
    }
}

static __thread EVP_MD_CTX *sha256_ctx;

int csystem_sha256(const uint8_t *data, size_t len, uint8_t out[32]) {
    pthread_once(&sha256_once, sha256_setup);
    unsigned int written = 0;
    if (sha256_md == NULL) return EVP_Digest(data, len, out, &written, EVP_sha256(), NULL) == 1 && written == 32;
    if (sha256_ctx == NULL) {
        sha256_ctx = EVP_MD_CTX_new();
        if (sha256_ctx == NULL) return 0;
        pthread_setspecific(sha256_ctx_key, sha256_ctx);  // frees it when the thread ends
    }
    return EVP_DigestInit_ex2(sha256_ctx, sha256_md, NULL) == 1
        && EVP_DigestUpdate(sha256_ctx, data, len) == 1
        && EVP_DigestFinal_ex(sha256_ctx, out, &written) == 1 && written == 32;
}

int csystem_hmac_sha256(const uint8_t *key, size_t key_len,
                        const uint8_t *data, size_t data_len, uint8_t out[32]) {
    if (key_len > INT_MAX) return 0;
    unsigned int written = 0;
    // HMAC() with a NULL key pointer would use a static empty key; pass a valid pointer instead.
    static const uint8_t empty = 0;
    const uint8_t *k = key_len ? key : &empty;
    return HMAC(EVP_sha256(), k, (int)key_len, data, data_len, out, &written) != NULL && written == 32;
}

int csystem_memeq(const uint8_t *a, const uint8_t *b, size_t len) {
    if (len == 0) return 1;
    return CRYPTO_memcmp(a, b, len) == 0;
}

int csystem_aes256gcm_seal(const uint8_t key[32], const uint8_t nonce[12],
                           const uint8_t *aad, size_t aad_len,
                           const uint8_t *plain, size_t plain_len,
                           uint8_t *out, uint8_t tag[16]) {
    if (plain_len > INT_MAX || aad_len > INT_MAX) return 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return 0;
    int len = 0;
    int ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1
          && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1
          && EVP_EncryptInit_ex(ctx, NULL, NULL, key, nonce) == 1;
    if (ok && aad_len > 0) ok = EVP_EncryptUpdate(ctx, NULL, &len, aad, (int)aad_len) == 1;
    if (ok && plain_len > 0) ok = EVP_EncryptUpdate(ctx, out, &len, plain, (int)plain_len) == 1;
    ok = ok && EVP_EncryptFinal_ex(ctx, out + (plain_len > 0 ? len : 0), &len) == 1
            && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

int csystem_aes256gcm_open(const uint8_t key[32], const uint8_t nonce[12],
                           const uint8_t *aad, size_t aad_len,
                           const uint8_t *cipher, size_t cipher_len,
                           const uint8_t tag[16], uint8_t *out) {
    if (cipher_len > INT_MAX || aad_len > INT_MAX) return 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return 0;
    int len = 0;
    uint8_t tag_copy[16];
    for (int i = 0; i < 16; i++) tag_copy[i] = tag[i];
    int ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1
          && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) == 1
          && EVP_DecryptInit_ex(ctx, NULL, NULL, key, nonce) == 1;
    if (ok && aad_len > 0) ok = EVP_DecryptUpdate(ctx, NULL, &len, aad, (int)aad_len) == 1;
    if (ok && cipher_len > 0) ok = EVP_DecryptUpdate(ctx, out, &len, cipher, (int)cipher_len) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag_copy) == 1
            && EVP_DecryptFinal_ex(ctx, out + (cipher_len > 0 ? len : 0), &len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

int csystem_aes128cbc_decrypt(const uint8_t key[16], const uint8_t iv[16],
                              const uint8_t *cipher, size_t cipher_len,
                              uint8_t *out, size_t *out_len) {
    if (cipher_len == 0 || cipher_len % 16 != 0 || cipher_len > INT_MAX) return 0;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL) return 0;
    int len = 0, final_len = 0;
    int ok = EVP_DecryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, iv) == 1
          && EVP_DecryptUpdate(ctx, out, &len, cipher, (int)cipher_len) == 1
          && EVP_DecryptFinal_ex(ctx, out + len, &final_len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (ok) *out_len = (size_t)len + (size_t)final_len;
    return ok;
}
