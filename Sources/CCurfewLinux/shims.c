#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include "CCurfewLinux.h"

int curfew_linux_accept4(int fd, void *addr, unsigned int *len, int flags) {
    return accept4(fd, (struct sockaddr *)addr, (socklen_t *)len, flags);
}

int curfew_linux_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

ssize_t curfew_linux_splice(int fd_in, int fd_out, size_t len, unsigned int flags) {
    return splice(fd_in, NULL, fd_out, NULL, len, flags);
}

int curfew_linux_set_pipe_size(int fd, int size) { return fcntl(fd, F_SETPIPE_SZ, size); }

int curfew_linux_pin_to_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void control_signal_set(sigset_t *set) {
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
}

int curfew_linux_block_control_signals(void) {
    sigset_t set;
    control_signal_set(&set);
    return pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int curfew_linux_wait_signal(void) {
    sigset_t set;
    control_signal_set(&set);
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return -1;
    return sig;
}

int curfew_linux_raise_process(int sig) { return kill(getpid(), sig); }
