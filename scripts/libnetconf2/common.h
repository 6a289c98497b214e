/*
 * netconfkit's libnetconf2 test servers: the part every server shares.
 *
 * A server is one `<topic>-server.c` with a main() that calls ln2_init(), registers its RPC
 * callbacks with ln2_on_rpc(), and hands control to ln2_run(). The command line is parsed here,
 * the same for every server:
 *
 *   --ssh PORT            listen for NETCONF over SSH on 127.0.0.1:PORT
 *   --host-key FILE       the SSH host key (PEM); required with --ssh
 *   --user NAME           the one login accepted (password auth)            default: netconf
 *   --password WORD       its password                                       default: netconf
 *   --tls PORT            listen for NETCONF over TLS on 127.0.0.1:PORT
 *   --tls-cert FILE --tls-key FILE   the server's certificate and key (PEM)
 *   --tls-ca FILE         CA whose client certificates are accepted
 *   --call-home-ssh PORT  RFC 8071: dial a manager listening on 127.0.0.1:PORT and serve NETCONF
 *                         over SSH on that connection (again after each session ends)
 *   --call-home-tls PORT  the same over TLS
 *   --tls-ctn FINGERPRINT cert-to-name entry (RFC 7589: "04:…" is SHA-256 of a certificate in
 *                         the client's chain), mapped to the certificate's common name
 *   --module NAME[@REV][:FEATURE,…]   one more YANG module to implement (repeatable)
 *   --yang DIR            one more directory to search for modules (repeatable)
 *   --verbose             libnetconf2's own log on stderr
 *
 * When every endpoint listens (and Call Home has started dialling) the server prints
 * `LISTENING` on stdout (one line), so a test knows it can connect. SIGTERM or SIGINT stops it.
 */
#ifndef NETCONFKIT_LN2_COMMON_H
#define NETCONFKIT_LN2_COMMON_H

#include <libyang/libyang.h>
#include <nc_server.h>

/* Parse the command line, build the context (ietf-netconf with its usual features,
 * -monitoring, -with-defaults, the --module list, then `modules` given by the server, each
 * "name[@rev][:feature,…]"), initialise libnetconf2 and open the endpoints.
 * Exits the process with a message on any failure: a test server that half-starts helps nobody. */
void ln2_init(int argc, char **argv, const char *const *modules);

/* The server's libyang context. */
struct ly_ctx *ln2_ctx(void);

/* Answer the RPC at schema path `path` ("/ietf-netconf-nmda:get-data") with `clb`. */
void ln2_on_rpc(const char *path, nc_rpc_clb clb);

/* Called about every `period_ms` from ln2_run()'s loop (for periodic notifications). */
void ln2_on_tick(void (*tick)(void), int period_ms);

/* Accept sessions and serve RPCs until SIGTERM/SIGINT. Returns the exit status. */
int ln2_run(void);

/* The sessions currently served (for notifications): count and the i-th one. */
int ln2_session_count(void);
struct nc_session *ln2_session(int i);

/* An <rpc-reply> carrying `data` (a tree of the RPC's output, or NULL for an empty <data/>
 * of the RPC `rpc`); `data` is consumed. */
struct nc_server_reply *ln2_reply_data(struct lyd_node *rpc, struct lyd_node *data);

/* An <rpc-error> reply: tag from NC_ERR, type application, the message given. */
struct nc_server_reply *ln2_reply_error(NC_ERR tag, const char *message);

#endif
