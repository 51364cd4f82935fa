#ifndef SIGNET_CLIBPQ_SHIM_H
#define SIGNET_CLIBPQ_SHIM_H
// libpq's declarations (Debian libpq-dev) for SignetServer/Storage/Postgres only. Nothing here
// links libpq: CLibPQLoader defines every PQ function the store calls and loads libpq.so.5 with
// dlopen on the first connection, so a CLI command that never opens PostgreSQL storage does not
// load libpq and the ~20 libraries it pulls in (Kerberos, LDAP, GnuTLS; issue 18, process start).
// A PQ function called here without a trampoline in CLibPQLoader/loader.c fails the link with
// "undefined reference to `PQ…'": add it there.
#include <postgresql/libpq-fe.h>

/// Loads libpq (once, thread-safe). Returns 1 when it is loaded; 0 when it cannot be, with the
/// reason (dlerror's text: the file or the missing symbol) copied into `error` (NUL-terminated).
int signet_pq_load(char *error, unsigned long capacity);

// PG_DIAG_SQLSTATE is a character-literal macro, which Swift does not import.
static inline int signet_pq_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }

// libpq prints server NOTICEs to stderr by default; the store has nothing to say to stderr.
static void signet_pq_ignore_notice(void *arg, const char *message) { (void)arg; (void)message; }
static inline void signet_pq_silence_notices(PGconn *conn) { PQsetNoticeProcessor(conn, signet_pq_ignore_notice, 0); }

#endif
