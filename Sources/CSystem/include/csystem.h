// CSystem: the C surface PawsHub needs and Swift's Glibc module does not expose.
// Why a shim: <sys/epoll.h>/<sys/eventfd.h> are not in Glibc's module map, accept4 needs
// _GNU_SOURCE, and variadic/macro C APIs (curl_easy_setopt, deflateInit2) cannot be imported.
#ifndef CSYSTEM_H
#define CSYSTEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/crypto.h>

#include <zlib.h>
#include <curl/curl.h>

/// accept4 with flags (SOCK_NONBLOCK|SOCK_CLOEXEC); returns the fd or -1 with errno set.
int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

#endif
