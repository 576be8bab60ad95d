#define _GNU_SOURCE
#include "csystem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

void csystem_ignore_sigpipe(void) {
    signal(SIGPIPE, SIG_IGN);
}

static int termination_pipe[2] = {-1, -1};
static pthread_once_t termination_once = PTHREAD_ONCE_INIT;

// Runs in signal context: only async-signal-safe calls, errno preserved for the interrupted code.
static void termination_handler(int signo) {
    int saved = errno;
    unsigned char byte = (unsigned char)signo;
    ssize_t ignored = write(termination_pipe[1], &byte, 1);
    (void)ignored;
    errno = saved;
}

static void termination_setup(void) {
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return;
    termination_pipe[0] = fds[0];
    termination_pipe[1] = fds[1];
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = termination_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
}

int csystem_termination_pipe(void) {
    pthread_once(&termination_once, termination_setup);
    return termination_pipe[0];
}

void csystem_set_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = 0;
    pthread_setname_np(pthread_self(), truncated);
}
