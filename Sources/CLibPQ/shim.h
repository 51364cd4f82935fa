#ifndef SIGNET_CLIBPQ_SHIM_H
#define SIGNET_CLIBPQ_SHIM_H
// libpq (Debian libpq-dev) for SignetServer/Storage/Postgres only.
#include <libpq-fe.h>

// PG_DIAG_SQLSTATE is a character-literal macro, which Swift does not import.
static inline int signet_pq_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }

// libpq prints server NOTICEs to stderr by default; the store has nothing to say to stderr.
static void signet_pq_ignore_notice(void *arg, const char *message) { (void)arg; (void)message; }
static inline void signet_pq_silence_notices(PGconn *conn) { PQsetNoticeProcessor(conn, signet_pq_ignore_notice, 0); }

#endif
