/* The plain libnetconf2 server: RFC 6241 over SSH or TLS, no datastore (get and get-config
 * answer empty data, edits answer ok), get-schema answered by libnetconf2 from its context. */
#include "common.h"

int main(int argc, char **argv)
{
    ln2_init(argc, argv, NULL);
    return ln2_run();
}
