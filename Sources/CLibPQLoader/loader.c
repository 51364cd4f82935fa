// libpq loaded on first use (issue 18): every PQ function SignetServer's PostgreSQL store calls is
// defined here with libpq's own name and prototype and forwards to the function dlsym found in
// libpq.so.5. The definitions are hidden (not exported from the executable), so libpq's own calls
// to its functions never bind to these forwards.
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC visibility push(hidden)
#include <postgresql/libpq-fe.h>
int signet_pq_load(char *error, unsigned long capacity);

#define SIGNET_PQ_FUNCTIONS(X) \
    X(PGconn *, PQconnectdbParams, (const char *const *keywords, const char *const *values, int expand_dbname), (keywords, values, expand_dbname)) \
    X(void, PQfinish, (PGconn *conn), (conn)) \
    X(void, PQreset, (PGconn *conn), (conn)) \
    X(ConnStatusType, PQstatus, (const PGconn *conn), (conn)) \
    X(PGTransactionStatusType, PQtransactionStatus, (const PGconn *conn), (conn)) \
    X(const char *, PQparameterStatus, (const PGconn *conn, const char *paramName), (conn, paramName)) \
    X(int, PQserverVersion, (const PGconn *conn), (conn)) \
    X(char *, PQerrorMessage, (const PGconn *conn), (conn)) \
    X(int, PQsocket, (const PGconn *conn), (conn)) \
    X(int, PQconnectionNeedsPassword, (const PGconn *conn), (conn)) \
    X(int, PQconnectionUsedPassword, (const PGconn *conn), (conn)) \
    X(PQnoticeProcessor, PQsetNoticeProcessor, (PGconn *conn, PQnoticeProcessor proc, void *arg), (conn, proc, arg)) \
    X(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query)) \
    X(PGresult *, PQprepare, (PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes), (conn, stmtName, query, nParams, paramTypes)) \
    X(PGresult *, PQexecPrepared, (PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat), (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat)) \
    X(PGresult *, PQexecParams, (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat), (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat)) \
    X(int, PQsendQuery, (PGconn *conn, const char *query), (conn, query)) \
    X(PGresult *, PQgetResult, (PGconn *conn), (conn)) \
    X(int, PQisBusy, (PGconn *conn), (conn)) \
    X(int, PQconsumeInput, (PGconn *conn), (conn)) \
    X(PGnotify *, PQnotifies, (PGconn *conn), (conn)) \
    X(int, PQsetnonblocking, (PGconn *conn, int arg), (conn, arg)) \
    X(int, PQflush, (PGconn *conn), (conn)) \
    X(ExecStatusType, PQresultStatus, (const PGresult *res), (res)) \
    X(char *, PQresultErrorMessage, (const PGresult *res), (res)) \
    X(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode)) \
    X(int, PQntuples, (const PGresult *res), (res)) \
    X(int, PQnfields, (const PGresult *res), (res)) \
    X(char *, PQfname, (const PGresult *res, int field_num), (res, field_num)) \
    X(Oid, PQftype, (const PGresult *res, int field_num), (res, field_num)) \
    X(char *, PQcmdTuples, (PGresult *res), (res)) \
    X(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    X(int, PQgetlength, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    X(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    X(void, PQclear, (PGresult *res), (res)) \
    X(void, PQfreemem, (void *ptr), (ptr)) \
    X(char *, PQescapeIdentifier, (PGconn *conn, const char *str, size_t len), (conn, str, len)) \
    X(char *, PQescapeLiteral, (PGconn *conn, const char *str, size_t len), (conn, str, len)) \
    X(int, PQlibVersion, (void), ())

// One pointer per function, filled by load_all.
#define SIGNET_PQ_POINTER(ret, name, params, args) static ret (*signet_real_##name) params;
SIGNET_PQ_FUNCTIONS(SIGNET_PQ_POINTER)

static pthread_once_t signet_pq_once = PTHREAD_ONCE_INIT;
static int signet_pq_loaded;
static char signet_pq_error[512];

static void signet_pq_load_all(void) {
    void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(signet_pq_error, sizeof signet_pq_error, "%s (install the Debian package libpq5)", dlerror());
        return;
    }
#define SIGNET_PQ_RESOLVE(ret, name, params, args) \
    *(void **)(&signet_real_##name) = dlsym(library, #name); \
    if (!signet_real_##name) { snprintf(signet_pq_error, sizeof signet_pq_error, "libpq.so.5 has no %s", #name); return; }
    SIGNET_PQ_FUNCTIONS(SIGNET_PQ_RESOLVE)
    signet_pq_loaded = 1;
}

int signet_pq_load(char *error, unsigned long capacity) {
    pthread_once(&signet_pq_once, signet_pq_load_all);
    if (!signet_pq_loaded && error && capacity > 0) {
        strncpy(error, signet_pq_error, capacity - 1);
        error[capacity - 1] = 0;
    }
    return signet_pq_loaded;
}

// A forward called before signet_pq_load succeeded is a programming error in the store.
static void signet_pq_not_loaded(const char *name) {
    fprintf(stderr, "signet: %s called before libpq was loaded (signet_pq_load)\n", name);
    abort();
}

#define SIGNET_PQ_FORWARD(ret, name, params, args) \
    ret name params { if (!signet_pq_loaded) signet_pq_not_loaded(#name); return signet_real_##name args; }
SIGNET_PQ_FUNCTIONS(SIGNET_PQ_FORWARD)
#pragma GCC visibility pop
