// The glibc calls Harbinger's shell action needs that Swift's Glibc module leaves out (they are
// declared only under _GNU_SOURCE, or are Linux-only): posix_spawn with a new session, a workdir and
// no inherited descriptors; pipes; pidfds; epoll.
#ifndef HARBINGER_CSPAWN_H
#define HARBINGER_CSPAWN_H

#include <stdint.h>
#include <sys/types.h>

/// Starts `path` with `argv` and `envp` in a new session, in `workdir` when it is not NULL, with the
/// three descriptors as its stdin, stdout and stderr, default signal handling, an empty signal mask
/// and no other descriptor. Sets `*pid` and `*pidfd`; returns 0 or an errno value.
int cspawn_spawn(const char *path, char *const argv[], char *const envp[], const char *workdir,
                 int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid, int *pidfd);

/// A close-on-exec pipe whose two descriptors are above 2; the end named by `nonblocking_end`
/// (0 read, 1 write) is non-blocking. Returns 0 or an errno value.
int cspawn_pipe(int fds[2], int nonblocking_end);

/// Reaps the exited child behind `pidfd` without blocking: `*exited` is 1 with its exit code in
/// `*value`, or 0 with the signal that ended it. Returns 0, or an errno value (EAGAIN: still running).
int cspawn_reap(int pidfd, int *exited, int *value);

/// Blocks until the child behind `pidfd` has exited, without reaping it; returns 0 or an errno value.
int cspawn_wait_exit(int pidfd);

/// A close-on-exec epoll instance, or -1 with errno set.
int cspawn_epoll_create(void);

/// Adds `fd` to `epfd` for input (`for_output` 0) or output, reporting `token`; returns 0 or an errno value.
int cspawn_epoll_add(int epfd, int fd, int for_output, uint64_t token);

/// Waits for events on `epfd` (no time limit) and stores up to `capacity` tokens; returns their
/// count, or -1 with errno set.
int cspawn_epoll_wait(int epfd, uint64_t *tokens, int capacity);

/// Names the calling thread for the kernel (top -H, perf, /proc/PID/task/TID/comm): 15 bytes at most.
void cspawn_name_thread(const char *name);

#endif
