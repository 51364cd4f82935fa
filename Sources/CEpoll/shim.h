// Linux event-loop calls the Glibc module does not export: epoll (<sys/epoll.h>), eventfd
// (<sys/eventfd.h>) and accept4, which <sys/socket.h> declares only under _GNU_SOURCE.
// Only SignetHTTP imports this module (Server/EventLoop.swift).
#ifndef SIGNET_CEPOLL_SHIM_H
#define SIGNET_CEPOLL_SHIM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <stdint.h>

// accept4 (glibc 2.10+): <sys/socket.h> declares it only under _GNU_SOURCE, and including that header
// here would take its declarations away from the Glibc module, so the prototype is declared with
// socklen_t spelled as its type (unsigned int) and called through a wrapper on a raw address pointer.
struct sockaddr;
extern int accept4(int sockfd, struct sockaddr *addr, unsigned int *addrlen, int flags);
static inline int shim_accept4(int sockfd, void *addr, unsigned int *addrlen, int flags) {
    return accept4(sockfd, (struct sockaddr *)addr, addrlen, flags);
}

// The epoll_event data word as a 64-bit token (the struct is packed on x86-64, so fields are read here).
static inline uint64_t shim_epoll_event_token(const struct epoll_event *event) { return event->data.u64; }
static inline uint32_t shim_epoll_event_flags(const struct epoll_event *event) { return event->events; }

static inline int shim_epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t token) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = token;
    return epoll_ctl(epfd, op, fd, &event);
}

#endif
