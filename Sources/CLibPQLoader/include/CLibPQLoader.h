#ifndef SIGNET_CLIBPQ_LOADER_H
#define SIGNET_CLIBPQ_LOADER_H
// Empty on purpose: the loader's entry point is declared in CLibPQ's shim.h (signet_pq_load), and
// its trampolines carry libpq's own names and prototypes (<postgresql/libpq-fe.h>).
#endif
