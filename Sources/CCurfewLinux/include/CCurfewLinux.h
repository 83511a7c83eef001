// Linux APIs Swift's Glibc module does not expose. Every symbol is prefixed `curfew_linux_`.
//
// Why this target exists:
//  - <sys/epoll.h>, <sys/eventfd.h>, <sys/timerfd.h> are not part of Swift's Glibc module map at all;
//    including them here makes epoll_event, EPOLLIN, eventfd() and friends visible to Swift.
//  - accept4, pipe2, splice and pthread_setaffinity_np are declared by glibc only under _GNU_SOURCE,
//    which shims.c defines.
// Socket headers are deliberately NOT included here: declarations textually included by a shim header
// get attributed to this module, and release (WMO) builds then lose SOCK_STREAM & co. from Glibc
// (swift-feasibility.md, pitfall P1). Wrappers take void * / unsigned int * and cast in the .c file.
#ifndef CCURFEW_LINUX_H
#define CCURFEW_LINUX_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>

int curfew_linux_accept4(int fd, void *addr, unsigned int *len, int flags);
int curfew_linux_pipe2(int fds[2], int flags);
ssize_t curfew_linux_splice(int fd_in, int fd_out, size_t len, unsigned int flags);
int curfew_linux_set_pipe_size(int fd, int size);
int curfew_linux_pin_to_cpu(int cpu);
/// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread (threads spawned later inherit the mask),
/// so that only the signal thread, waiting in curfew_linux_wait_signal, ever receives them.
int curfew_linux_block_control_signals(void);
/// Waits for one of the blocked control signals; returns its number, or -1.
int curfew_linux_wait_signal(void);
/// Sends `sig` to this process (used by tests and by `curfew` itself to wake the signal thread).
int curfew_linux_raise_process(int sig);

static const unsigned int CURFEW_SPLICE_F_MOVE = 1;
static const unsigned int CURFEW_SPLICE_F_NONBLOCK = 2;
static const unsigned int CURFEW_SPLICE_F_MORE = 4;

#endif
