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
#include <sys/un.h>
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
// libcurl's headers are here for the Kubernetes spawner; the library is linked (Package.swift) once code calls it.
#include <curl/curl.h>

/// accept4 with flags (SOCK_NONBLOCK|SOCK_CLOEXEC); returns the fd or -1 with errno set.
int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);

/// Ignores SIGPIPE process-wide: a peer that closes must surface as EPIPE, never kill the process
/// (OpenSSL writes with write(2), which cannot pass MSG_NOSIGNAL).
void csystem_ignore_sigpipe(void);

/// Installs handlers for SIGTERM and SIGINT that write the signal number (one byte) into a
/// non-blocking self-pipe; returns the pipe's read end (the same fd on every call) or -1.
/// A self-pipe works whatever the signal masks of the runtime's threads are.
int csystem_termination_pipe(void);

/// Names the calling thread (truncated to 15 bytes) so `top -H` and debuggers show loop threads.
void csystem_set_thread_name(const char *name);

#endif
