/* The shared part of netconfkit's libnetconf2 test servers: see common.h. */
#define _GNU_SOURCE
#include "common.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_LIST 32
#define YUMA_IETF "/usr/share/yuma/modules/ietf"
#ifndef LN2_YANG_DIR /* set by scripts/libnetconf2.sh to this repository's scripts/libnetconf2/yang */
#define LN2_YANG_DIR "scripts/libnetconf2/yang"
#endif

static struct {
    int ssh_port, tls_port, ch_ssh_port, ch_tls_port, verbose;
    const char *host_key, *user, *password;
    const char *tls_cert, *tls_key, *tls_ca, *tls_ctn;
    const char *modules[MAX_LIST];
    int n_modules;
    const char *dirs[MAX_LIST];
    int n_dirs;
} args = {.user = "netconf", .password = "netconf"};

static struct ly_ctx *ctx;
static struct nc_pollsession *ps;
static volatile sig_atomic_t stopping;
static void (*tick_fn)(void);
static int tick_ms = 1000;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("ln2-server: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--verbose")) { args.verbose = 1; continue; }
        if (!v) die("%s needs a value", a);
        i++;
        if (!strcmp(a, "--ssh")) args.ssh_port = atoi(v);
        else if (!strcmp(a, "--tls")) args.tls_port = atoi(v);
        else if (!strcmp(a, "--call-home-ssh")) args.ch_ssh_port = atoi(v);
        else if (!strcmp(a, "--call-home-tls")) args.ch_tls_port = atoi(v);
        else if (!strcmp(a, "--host-key")) args.host_key = v;
        else if (!strcmp(a, "--user")) args.user = v;
        else if (!strcmp(a, "--password")) args.password = v;
        else if (!strcmp(a, "--tls-cert")) args.tls_cert = v;
        else if (!strcmp(a, "--tls-key")) args.tls_key = v;
        else if (!strcmp(a, "--tls-ca")) args.tls_ca = v;
        else if (!strcmp(a, "--tls-ctn")) args.tls_ctn = v;
        else if (!strcmp(a, "--module") && args.n_modules < MAX_LIST) args.modules[args.n_modules++] = v;
        else if (!strcmp(a, "--yang") && args.n_dirs < MAX_LIST) args.dirs[args.n_dirs++] = v;
        else die("unknown option %s", a);
    }
    if (!args.ssh_port && !args.tls_port && !args.ch_ssh_port && !args.ch_tls_port)
        die("give --ssh PORT, --tls PORT, --call-home-ssh PORT or --call-home-tls PORT");
    if ((args.ssh_port || args.ch_ssh_port) && !args.host_key) die("SSH needs --host-key FILE");
    if ((args.tls_port || args.ch_tls_port) && (!args.tls_cert || !args.tls_key || !args.tls_ca))
        die("TLS needs --tls-cert, --tls-key and --tls-ca");
}

/* "name[@rev][:f1,f2]" → loaded and implemented, with those features enabled. */
static void load_module(const char *spec)
{
    char buf[512], *feats = NULL, *rev = NULL;
    const char *list[MAX_LIST + 1] = {0};
    snprintf(buf, sizeof buf, "%s", spec);
    if ((feats = strchr(buf, ':'))) *feats++ = '\0';
    if ((rev = strchr(buf, '@'))) *rev++ = '\0';
    int n = 0;
    for (char *f = feats ? strtok(feats, ",") : NULL; f && n < MAX_LIST; f = strtok(NULL, ",")) list[n++] = f;
    if (!ly_ctx_load_module(ctx, buf, rev, feats ? list : NULL)) die("cannot load module %s", spec);
}

static struct nc_server_reply *default_rpc(struct lyd_node *rpc, struct nc_session *session)
{
    (void)session;
    const char *name = LYD_NAME(rpc);
    if (!strcmp(name, "get")) {
        /* State data: the YANG library of this server's context (RFC 8525 and RFC 7895's
         * modules-state, as libyang builds it), whatever the filter. */
        struct lyd_node *library = NULL;
        if (ly_ctx_get_yanglib_data(ctx, &library, "%u", ly_ctx_get_change_count(ctx)))
            return ln2_reply_error(NC_ERR_OP_FAILED, "cannot build the YANG library");
        return ln2_reply_data(rpc, library);
    }
    if (!strcmp(name, "get-config")) return ln2_reply_data(rpc, NULL);
    if (!strcmp(name, "lock") || !strcmp(name, "unlock") || !strcmp(name, "edit-config") || !strcmp(name, "commit") ||
        !strcmp(name, "discard-changes") || !strcmp(name, "validate") || !strcmp(name, "copy-config") ||
        !strcmp(name, "delete-config") || !strcmp(name, "cancel-commit") || !strcmp(name, "kill-session"))
        return nc_server_reply_ok();
    return ln2_reply_error(NC_ERR_OP_NOT_SUPPORTED, "this test server does not implement the operation");
}

/* <get-schema> (RFC 6022) from the context: libnetconf2 2.0's own answer breaks on a second
 * request, so the servers answer it themselves (YANG only). */
static struct nc_server_reply *get_schema(struct lyd_node *rpc, struct nc_session *session)
{
    (void)session;
    struct lyd_node *node = NULL;
    const char *identifier = NULL, *version = NULL, *format = NULL;
    if (!lyd_find_path(rpc, "identifier", 0, &node)) identifier = lyd_get_value(node);
    if (!lyd_find_path(rpc, "version", 0, &node)) version = lyd_get_value(node);
    if (!lyd_find_path(rpc, "format", 0, &node)) format = lyd_get_value(node);
    if (format && !strstr(format, "yang")) return ln2_reply_error(NC_ERR_INVALID_VALUE, "only the yang format");
    const struct lys_module *mod = version && *version ? ly_ctx_get_module(ctx, identifier, version)
                                                       : ly_ctx_get_module_latest(ctx, identifier);
    if (!mod) return ln2_reply_error(NC_ERR_INVALID_VALUE, "no such schema");
    char *text = NULL;
    struct lyd_node *out = NULL;
    if (lys_print_mem(&text, mod, LYS_OUT_YANG, 0) || lyd_dup_single(rpc, NULL, 0, &out) ||
        lyd_new_any(out, NULL, "data", text, 1, LYD_ANYDATA_STRING, 1, NULL)) {
        free(text);
        lyd_free_all(out);
        return ln2_reply_error(NC_ERR_OP_FAILED, "cannot print the schema");
    }
    return nc_server_reply_data(out, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
}

static int password_ok(const struct nc_session *session, const char *password, void *user_data)
{
    (void)user_data;
    const char *user = nc_session_get_username(session);
    return !(user && !strcmp(user, args.user) && password && !strcmp(password, args.password));
}

static int host_key(const char *name, void *user_data, char **path, char **data, NC_SSH_KEY_TYPE *type)
{
    (void)name; (void)user_data; (void)data; (void)type;
    *path = strdup(args.host_key);
    return 0;
}

static int server_cert(const char *name, void *user_data, char **cert_path, char **cert_data, char **key_path,
        char **key_data, NC_SSH_KEY_TYPE *key_type)
{
    (void)name; (void)user_data; (void)cert_data; (void)key_data; (void)key_type;
    *cert_path = strdup(args.tls_cert);
    *key_path = strdup(args.tls_key);
    return 0;
}

/* libnetconf2 asks for the trusted certificates by list name: ours is the one CA file. */
static int trusted_list(const char *name, void *user_data, char ***paths, int *path_count, char ***data, int *data_count)
{
    (void)name; (void)user_data;
    *paths = malloc(sizeof **paths);
    if (!*paths) return 1;
    (*paths)[0] = strdup(args.tls_ca);
    *path_count = 1;
    *data = NULL;
    *data_count = 0;
    return 0;
}

static void listen_endpoints(void)
{
    nc_server_ssh_set_passwd_auth_clb(password_ok, NULL, NULL);
    nc_server_ssh_set_hostkey_clb(host_key, NULL, NULL);
    nc_server_tls_set_server_cert_clb(server_cert, NULL, NULL);
    nc_server_tls_set_trusted_cert_list_clb(trusted_list, NULL, NULL);
    if (args.ssh_port) {
        if (nc_server_add_endpt("ssh", NC_TI_LIBSSH) || nc_server_ssh_endpt_add_hostkey("ssh", "key", -1) ||
            nc_server_ssh_endpt_set_auth_methods("ssh", NC_SSH_AUTH_PASSWORD) ||
            nc_server_endpt_set_address("ssh", "127.0.0.1") || nc_server_endpt_set_port("ssh", args.ssh_port))
            die("cannot listen for SSH on 127.0.0.1:%d", args.ssh_port);
    }
    if (args.tls_port) {
        if (nc_server_add_endpt("tls", NC_TI_OPENSSL) || nc_server_tls_endpt_set_server_cert("tls", "cert") ||
            nc_server_tls_endpt_add_trusted_cert_list("tls", "ca") ||
            nc_server_tls_endpt_set_trusted_ca_paths("tls", args.tls_ca, NULL) ||
            (args.tls_ctn && nc_server_tls_endpt_add_ctn("tls", 1, args.tls_ctn, NC_TLS_CTN_COMMON_NAME, NULL)) ||
            nc_server_endpt_set_address("tls", "127.0.0.1") || nc_server_endpt_set_port("tls", args.tls_port))
            die("cannot listen for TLS on 127.0.0.1:%d", args.tls_port);
    }
}

/* A Call Home session (the dispatch thread made it): served like an accepted one. */
static int call_home_session(const char *client, struct nc_session *session)
{
    (void)client;
    return nc_ps_add_session(ps, session);
}

/* RFC 8071: dial the manager on 127.0.0.1:port, persistently (again after each session). */
static void call_home(const char *client, NC_TRANSPORT_IMPL ti, int port)
{
    if (nc_server_ch_add_client(client) || nc_server_ch_client_add_endpt(client, "manager", ti) ||
        nc_server_ch_client_endpt_set_address(client, "manager", "127.0.0.1") ||
        nc_server_ch_client_endpt_set_port(client, "manager", port) ||
        nc_server_ch_client_set_conn_type(client, NC_CH_PERSIST))
        die("cannot set up Call Home to 127.0.0.1:%d", port);
    if (ti == NC_TI_LIBSSH) {
        if (nc_server_ssh_ch_client_endpt_add_hostkey(client, "manager", "key", -1) ||
            nc_server_ssh_ch_client_endpt_set_auth_methods(client, "manager", NC_SSH_AUTH_PASSWORD))
            die("cannot set up Call Home over SSH");
    } else if (nc_server_tls_ch_client_endpt_set_server_cert(client, "manager", "cert") ||
               nc_server_tls_ch_client_endpt_add_trusted_cert_list(client, "manager", "ca") ||
               (args.tls_ctn && nc_server_tls_ch_client_endpt_add_ctn(client, "manager", 1, args.tls_ctn,
                                                                     NC_TLS_CTN_COMMON_NAME, NULL))) {
        die("cannot set up Call Home over TLS");
    }
    if (nc_connect_ch_client_dispatch(client, call_home_session)) die("cannot start Call Home to 127.0.0.1:%d", port);
}

void ln2_init(int argc, char **argv, const char *const *modules)
{
    parse_args(argc, argv);
    nc_verbosity(args.verbose ? NC_VERB_DEBUG : NC_VERB_ERROR);
    if (ly_ctx_new(YUMA_IETF, LY_CTX_DISABLE_SEARCHDIR_CWD, &ctx)) die("cannot create the libyang context");
    ly_ctx_set_searchdir(ctx, LN2_YANG_DIR);
    for (int i = 0; i < args.n_dirs; i++) ly_ctx_set_searchdir(ctx, args.dirs[i]);
    load_module("ietf-netconf@2011-06-01:writable-running,candidate,confirmed-commit,rollback-on-error,validate,"
                "startup,xpath");
    load_module("ietf-netconf-monitoring");
    load_module("ietf-netconf-with-defaults");
    for (int i = 0; i < args.n_modules; i++) load_module(args.modules[i]);
    for (int i = 0; modules && modules[i]; i++) load_module(modules[i]);
    if (nc_server_init(ctx)) die("nc_server_init failed");
    /* Advertise :with-defaults (RFC 6243), as most servers do: basic mode explicit, all the others too. */
    nc_server_set_capab_withdefaults(NC_WD_EXPLICIT, NC_WD_ALL | NC_WD_ALL_TAG | NC_WD_TRIM);
    nc_set_global_rpc_clb(default_rpc);
    ln2_on_rpc("/ietf-netconf-monitoring:get-schema", get_schema);
    ps = nc_ps_new();
    listen_endpoints();
    if (args.ch_ssh_port) call_home("ch-ssh", NC_TI_LIBSSH, args.ch_ssh_port);
    if (args.ch_tls_port) call_home("ch-tls", NC_TI_OPENSSL, args.ch_tls_port);
}

struct ly_ctx *ln2_ctx(void) { return ctx; }

void ln2_on_rpc(const char *path, nc_rpc_clb clb)
{
    const struct lysc_node *node = lys_find_path(ctx, NULL, path, 0);
    if (!node) die("no RPC %s in the context", path);
    nc_set_rpc_callback(((struct lysc_node *)node), clb);
}

void ln2_on_tick(void (*tick)(void), int period_ms)
{
    tick_fn = tick;
    tick_ms = period_ms > 0 ? period_ms : 1000;
}

int ln2_session_count(void) { return nc_ps_session_count(ps); }
struct nc_session *ln2_session(int i) { return nc_ps_get_session(ps, (uint16_t)i); }

struct nc_server_reply *ln2_reply_data(struct lyd_node *rpc, struct lyd_node *data)
{
    struct lyd_node *out = NULL;
    if (lyd_dup_single(rpc, NULL, 0, &out) ||
        lyd_new_any(out, NULL, "data", data, 1, LYD_ANYDATA_DATATREE, 1, NULL)) {
        lyd_free_all(out);
        return ln2_reply_error(NC_ERR_OP_FAILED, "cannot build the reply");
    }
    return nc_server_reply_data(out, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
}

struct nc_server_reply *ln2_reply_error(NC_ERR tag, const char *message)
{
    struct lyd_node *err;
    switch (tag) {
    case NC_ERR_LOCK_DENIED: err = nc_err(ctx, tag, (uint32_t)0); break;
    case NC_ERR_DATA_EXISTS:
    case NC_ERR_DATA_MISSING:
    case NC_ERR_MALFORMED_MSG: err = nc_err(ctx, tag); break;
    default: err = nc_err(ctx, tag, NC_ERR_TYPE_APP); break;
    }
    if (message) nc_err_set_msg(err, message, "en");
    return nc_server_reply_err(err);
}

static void on_signal(int sig) { (void)sig; stopping = 1; }

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int ln2_run(void)
{
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    printf("LISTENING\n");
    fflush(stdout);
    long next_tick = now_ms() + tick_ms;
    while (!stopping) {
        struct nc_session *session = NULL;
        /* A short accept wait, then the sessions: one thread does both, simply. */
        if (!args.ssh_port && !args.tls_port) usleep(10000); /* Call Home only: nothing to accept */
        else if (nc_accept(10, &session) == NC_MSG_HELLO) nc_ps_add_session(ps, session);
        if (nc_ps_session_count(ps)) {
            int r = nc_ps_poll(ps, 10, &session);
            if (r & (NC_PSPOLL_SESSION_TERM | NC_PSPOLL_SESSION_ERROR)) {
                nc_ps_del_session(ps, session);
                nc_session_free(session, NULL);
            }
        }
        if (tick_fn && now_ms() >= next_tick) {
            tick_fn();
            next_tick = now_ms() + tick_ms;
        }
    }
    nc_ps_clear(ps, 1, NULL);
    nc_ps_free(ps);
    nc_server_destroy();
    ly_ctx_destroy(ctx);
    return 0;
}
