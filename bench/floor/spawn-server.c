// The floor for "an HTTP request runs /bin/true" (bench/floors.sh): one thread per connection,
// blocking reads, posix_spawn (glibc's, vfork-based), waitpid, then a 200. Nothing is parsed beyond
// Content-Length, checked, decoded or stored: no server that does any of that can be faster here.
//   spawn-server PORT [1|0]   (0: answer without spawning anything). Listens on 127.0.0.1 only.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
extern char **environ;
static int spawn_child = 1;
static void *serve(void *arg) {
  int fd = (int)(long)arg;
  char buf[65536];
  size_t have = 0;
  buf[0] = 0;
  for (;;) {
    char *end;
    // buf stays NUL-terminated, for strcasestr.
    while (!(end = memmem(buf, have, "\r\n\r\n", 4))) {
      ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
      if (n <= 0) { close(fd); return NULL; }
      have += n;
      buf[have] = 0;
    }
    size_t head = end + 4 - buf, len = 0;
    char *cl = strcasestr(buf, "content-length:");
    if (cl && cl < end) len = strtoul(cl + 15, NULL, 10);
    if (head + len > sizeof buf - 1) { close(fd); return NULL; }
    while (have < head + len) {
      ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
      if (n <= 0) { close(fd); return NULL; }
      have += n;
      buf[have] = 0;
    }
    if (spawn_child) {
      pid_t pid; char *argv[] = {"/bin/true", NULL};
      if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) == 0) waitpid(pid, NULL, 0);
    }
    static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    if (send(fd, answer, sizeof answer - 1, MSG_NOSIGNAL) < 0) { close(fd); return NULL; }
    memmove(buf, buf + head + len, have - head - len);
    have -= head + len;
    buf[have] = 0;
  }
}
int main(int argc, char **argv) {
  spawn_child = argc > 2 ? atoi(argv[2]) : 1;
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1])), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (bind(s, (void *)&a, sizeof a) || listen(s, 1024)) { perror("bind"); return 1; }
  for (;;) {
    int c = accept(s, NULL, NULL);
    if (c < 0) continue;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_t t; pthread_create(&t, NULL, serve, (void *)(long)c); pthread_detach(t);
  }
}
