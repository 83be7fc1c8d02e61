// See CSpawn.h. Compiled with _GNU_SOURCE, which Swift's Glibc module is not.
#define _GNU_SOURCE 1
#include "CSpawn.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int cspawn_spawn(const char *path, char *const argv[], char *const envp[], const char *workdir,
                 int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid, int *pidfd) {
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_t actions;
    sigset_t none, all;
    int rc = posix_spawnattr_init(&attributes);
    if (rc != 0) return rc;
    rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) {
        posix_spawnattr_destroy(&attributes);
        return rc;
    }
    sigemptyset(&none);
    sigfillset(&all);
    // SETSID: the teardown signals the whole process group, including what a script started.
    // SETSIGMASK/SETSIGDEF: the server ignores SIGPIPE and its threads block signals; the child must not.
    if ((rc = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                                        POSIX_SPAWN_SETSIGDEF)) == 0 &&
        (rc = posix_spawnattr_setsigmask(&attributes, &none)) == 0 &&
        (rc = posix_spawnattr_setsigdefault(&attributes, &all)) == 0 &&
        (rc = posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0)) == 0 &&
        (rc = posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1)) == 0 &&
        (rc = posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2)) == 0 &&
        // closefrom before chdir: until the child has closed its copies of the parent's descriptors,
        // epoll keeps reporting those the parent has just closed (ChildProcess.closeWatched), and a
        // chdir into a slow file system would stretch that.
        (rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3)) == 0 &&
        (workdir == NULL || (rc = posix_spawn_file_actions_addchdir_np(&actions, workdir)) == 0)) {
        rc = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    }
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (rc != 0) return rc;
    // Not reaped yet, so the pid cannot have been reused.
    *pidfd = (int)syscall(SYS_pidfd_open, *pid, 0);
    if (*pidfd < 0) {
        rc = errno;
        kill(*pid, SIGKILL);
        waitpid(*pid, NULL, 0);
    }
    return rc;
}

/// `fd` moved above 2 (so the child's dup2 onto 0-2 cannot overwrite another pipe end), close-on-exec.
static int above_standard(int fd) {
    if (fd > 2) return fd;
    int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    int saved = errno;
    close(fd);
    errno = saved;
    return moved;
}

int cspawn_pipe(int fds[2], int nonblocking_end) {
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
    fds[0] = above_standard(fds[0]);
    fds[1] = above_standard(fds[1]);
    if (fds[0] < 0 || fds[1] < 0) {
        int saved = errno;
        if (fds[0] >= 0) close(fds[0]);
        if (fds[1] >= 0) close(fds[1]);
        return saved;
    }
    int end = fds[nonblocking_end];
    if (fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) != 0) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        return saved;
    }
    return 0;
}

int cspawn_reap(int pidfd, int *exited, int *value) {
    siginfo_t info = {0};
    if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG) != 0) return errno;
    if (info.si_pid == 0) return EAGAIN;
    *exited = info.si_code == CLD_EXITED;
    *value = info.si_status;
    return 0;
}

int cspawn_wait_exit(int pidfd) {
    siginfo_t info = {0};
    while (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOWAIT) != 0) {
        if (errno != EINTR) return errno;
    }
    return 0;
}

int cspawn_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int cspawn_epoll_add(int epfd, int fd, int for_output, uint64_t token) {
    struct epoll_event event = {.events = for_output ? EPOLLOUT : EPOLLIN, .data.u64 = token};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) == 0 ? 0 : errno;
}


int cspawn_epoll_wait(int epfd, uint64_t *tokens, int capacity) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int count = epoll_wait(epfd, events, capacity, -1);
    for (int i = 0; i < count; i++) tokens[i] = events[i].data.u64;
    return count;
}

void cspawn_name_thread(const char *name) { (void)pthread_setname_np(pthread_self(), name); }
