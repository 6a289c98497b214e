/* NMDA (RFC 8526) on libnetconf2: <get-data> and <edit-data>, parsed and validated by libyang
 * against ietf-netconf-nmda (datastore identities, filters, with-origin, max-depth…), so a
 * request that is not what the RFC's module says is refused before our callbacks see it.
 * The data: ietf-interfaces, one interface whose description names the datastore it was read
 * from; edit-data stores the description it is given for that datastore. */
#include "common.h"

#include <stdio.h>
#include <string.h>

static char descriptions[8][16][128]; /* per datastore, set by edit-data */
static const char *const DATASTORES[] = {"running", "candidate", "startup", "intended", "operational", NULL};

static int datastore_index(const struct lyd_node *rpc)
{
    struct lyd_node *ds = NULL;
    if (lyd_find_path(rpc, "datastore", 0, &ds) || !ds) return -1;
    const char *value = lyd_get_value(ds); /* "ietf-datastores:running" */
    const char *colon = strchr(value, ':');
    const char *name = colon ? colon + 1 : value;
    for (int i = 0; DATASTORES[i]; i++)
        if (!strcmp(DATASTORES[i], name)) return i;
    return -1;
}

static struct nc_server_reply *get_data(struct lyd_node *rpc, struct nc_session *session)
{
    (void)session;
    int i = datastore_index(rpc);
    if (i < 0) return ln2_reply_error(NC_ERR_INVALID_VALUE, "this server has no such datastore");
    const char *text = descriptions[i][0][0] ? descriptions[i][0] : DATASTORES[i];
    struct lyd_node *tree = NULL;
    if (lyd_new_path(NULL, ln2_ctx(), "/ietf-interfaces:interfaces/interface[name='eth0']/description", text, 0, &tree))
        return ln2_reply_error(NC_ERR_OP_FAILED, "cannot build the data");
    return ln2_reply_data(rpc, lyd_first_sibling(tree));
}

static struct nc_server_reply *edit_data(struct lyd_node *rpc, struct nc_session *session)
{
    (void)session;
    int i = datastore_index(rpc);
    if (i < 0) return ln2_reply_error(NC_ERR_INVALID_VALUE, "this server has no such datastore");
    struct lyd_node *config = NULL;
    if (lyd_find_path(rpc, "config", 0, &config) || !config) return ln2_reply_error(NC_ERR_MISSING_ELEM, "no config");
    /* The config is anydata: print it and keep the first description it carries. */
    char *xml = NULL;
    lyd_any_value_str(config, &xml);
    const char *start = xml ? strstr(xml, "<description>") : NULL;
    const char *end = start ? strstr(start, "</description>") : NULL;
    if (start && end) {
        start += strlen("<description>");
        snprintf(descriptions[i][0], sizeof descriptions[i][0], "%.*s", (int)(end - start), start);
    }
    free(xml);
    return nc_server_reply_ok();
}

int main(int argc, char **argv)
{
    static const char *const modules[] = {
        "ietf-datastores", "ietf-origin", "ietf-netconf-nmda:origin,with-defaults", "ietf-interfaces", NULL};
    ln2_init(argc, argv, modules);
    ln2_on_rpc("/ietf-netconf-nmda:get-data", get_data);
    ln2_on_rpc("/ietf-netconf-nmda:edit-data", edit_data);
    return ln2_run();
}
