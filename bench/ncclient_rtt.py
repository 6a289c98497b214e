#!/usr/bin/python3
"""netconfkit bench: ncclient's round-trip rate.

Connects with Debian's python3-ncclient (host key not checked: the bench talks to 127.0.0.1
only), warms up, then sends COUNT <get-config><source><running/></source></get-config>
one after another (ncclient's manager is synchronous). Prints one JSON line:
{"seconds", "count", "tick", "ncclient"}.

As shipped, ncclient's transport thread waits up to ncclient.transport.ssh.TICK (0.1 s) in
select() before it looks at its send queue, so a request often sits there until the previous
wait times out. --tick patches that constant (labelled as such in the bench's table).

usage: ncclient_rtt.py --host H --port P --user U --password PW --count N [--tick S]
"""
import argparse
import json
import sys
import time

import ncclient
import ncclient.transport.ssh as ssh_transport
from ncclient import manager


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--host', required=True)
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--user', required=True)
    ap.add_argument('--password', required=True)
    ap.add_argument('--count', type=int, required=True)
    ap.add_argument('--warmup', type=int, default=10)
    ap.add_argument('--tick', type=float, default=None)
    a = ap.parse_args()
    if a.tick is not None:
        ssh_transport.TICK = a.tick
    with manager.connect(host=a.host, port=a.port, username=a.user, password=a.password,
                         hostkey_verify=False, look_for_keys=False, allow_agent=False,
                         timeout=30) as m:
        for _ in range(a.warmup):
            m.get_config(source='running')
        t0 = time.perf_counter()
        for _ in range(a.count):
            m.get_config(source='running')
        seconds = time.perf_counter() - t0
    print(json.dumps({'seconds': seconds, 'count': a.count, 'tick': ssh_transport.TICK,
                      'ncclient': getattr(ncclient, '__version__', '?')}))


if __name__ == '__main__':
    sys.exit(main())
