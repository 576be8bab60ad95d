// TLS wrappers for OpenSSL function-like macros that Swift cannot import.
#ifndef CSYSTEM_TLS_H
#define CSYSTEM_TLS_H

#include <openssl/ssl.h>

/// SSL_CTX_set_min_proto_version; returns 1 on success.
int csystem_tls_ctx_set_min_proto(SSL_CTX *ctx, int version);
/// Partial writes, moving write buffers and released idle buffers (a few KiB saved per idle connection).
void csystem_tls_ctx_set_nonblocking_modes(SSL_CTX *ctx);
/// SNI host name for a client connection; returns 1 on success.
int csystem_tls_set_sni(SSL *ssl, const char *host);

#endif
