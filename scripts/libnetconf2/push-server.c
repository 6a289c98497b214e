/* YANG-Push (RFC 8641) on libnetconf2: periodic datastore subscriptions established with
 * RFC 8639's <establish-subscription>, deleted with <delete-subscription>, each pushing
 * <push-update> notifications with its own id on the session that made it. The request is
 * validated by libyang against our subsets of the two modules (yang/). The contents: one
 * ietf-interfaces interface whose description counts the pushes ("sub ID #N"). */
#include "common.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_SUBS 64
#define TICK_MS 20

static struct {
    int in_use;
    uint32_t id;
    struct nc_session *session;
    long period_ms, due_ms, count;
} subs[MAX_SUBS];
static uint32_t next_id = 1;
static long clock_ms;

static const char *leaf(const struct lyd_node *parent, const char *path)
{
    struct lyd_node *node = NULL;
    return lyd_find_path(parent, path, 0, &node) ? NULL : lyd_get_value(node);
}

static struct nc_server_reply *establish(struct lyd_node *rpc, struct nc_session *session)
{
    if (!leaf(rpc, "ietf-yang-push:datastore"))
        return ln2_reply_error(NC_ERR_OP_NOT_SUPPORTED, "this server serves datastore subscriptions only");
    const char *period = leaf(rpc, "ietf-yang-push:periodic/period"); /* centiseconds */
    if (!period) return ln2_reply_error(NC_ERR_OP_NOT_SUPPORTED, "this server pushes periodically only");
    for (int i = 0; i < MAX_SUBS; i++) {
        if (subs[i].in_use) continue;
        subs[i].in_use = 1;
        subs[i].id = next_id++;
        subs[i].session = session;
        subs[i].period_ms = atol(period) * 10;
        subs[i].due_ms = clock_ms + subs[i].period_ms;
        subs[i].count = 0;
        nc_session_inc_notif_status(session); /* libnetconf2 sends notifications only on subscribed sessions */
        char id[16];
        snprintf(id, sizeof id, "%u", subs[i].id);
        struct lyd_node *out = NULL;
        if (lyd_dup_single(rpc, NULL, 0, &out) || lyd_new_term(out, NULL, "id", id, 1, NULL)) {
            lyd_free_all(out);
            return ln2_reply_error(NC_ERR_OP_FAILED, "cannot build the reply");
        }
        return nc_server_reply_data(out, NC_WD_EXPLICIT, NC_PARAMTYPE_FREE);
    }
    return ln2_reply_error(NC_ERR_RES_DENIED, "too many subscriptions");
}

static struct nc_server_reply *delete_subscription(struct lyd_node *rpc, struct nc_session *session)
{
    const char *id = leaf(rpc, "id");
    for (int i = 0; id && i < MAX_SUBS; i++) {
        if (subs[i].in_use && subs[i].session == session && subs[i].id == (uint32_t)atol(id)) {
            subs[i].in_use = 0;
            nc_session_dec_notif_status(session);
            return nc_server_reply_ok();
        }
    }
    struct nc_server_reply *reply = ln2_reply_error(NC_ERR_INVALID_VALUE, "no such subscription");
    nc_err_set_app_tag((struct lyd_node *)nc_server_reply_get_last_err(reply),
            "ietf-subscribed-notifications:no-such-subscription");
    return reply;
}

static int session_alive(const struct nc_session *session)
{
    for (int i = 0; i < ln2_session_count(); i++)
        if (ln2_session(i) == session) return 1;
    return 0;
}

static void push(int i)
{
    char id[16], text[64], when[32];
    snprintf(id, sizeof id, "%u", subs[i].id);
    snprintf(text, sizeof text, "sub %u #%ld", subs[i].id, ++subs[i].count);
    time_t now = time(NULL);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    struct lyd_node *notif = NULL, *data = NULL;
    if (lyd_new_path(NULL, ln2_ctx(), "/ietf-yang-push:push-update/id", id, 0, &notif) ||
        lyd_new_path(NULL, ln2_ctx(), "/ietf-interfaces:interfaces/interface[name='eth0']/description", text, 0, &data) ||
        lyd_new_any(notif, NULL, "datastore-contents", lyd_first_sibling(data), 1, LYD_ANYDATA_DATATREE, 0, NULL)) {
        lyd_free_all(notif);
        return;
    }
    struct nc_server_notif *n = nc_server_notif_new(notif, strdup(when), NC_PARAMTYPE_FREE);
    nc_server_notif_send(subs[i].session, n, 1000);
    nc_server_notif_free(n);
}

static void tick(void)
{
    clock_ms += TICK_MS;
    for (int i = 0; i < MAX_SUBS; i++) {
        if (!subs[i].in_use) continue;
        if (!session_alive(subs[i].session)) {
            subs[i].in_use = 0;
            continue;
        }
        if (clock_ms >= subs[i].due_ms) {
            subs[i].due_ms += subs[i].period_ms;
            push(i);
        }
    }
}

int main(int argc, char **argv)
{
    static const char *const modules[] = {"ietf-subscribed-notifications", "ietf-yang-push", "ietf-interfaces", NULL};
    ln2_init(argc, argv, modules);
    ln2_on_rpc("/ietf-subscribed-notifications:establish-subscription", establish);
    ln2_on_rpc("/ietf-subscribed-notifications:delete-subscription", delete_subscription);
    ln2_on_tick(tick, TICK_MS);
    return ln2_run();
}
