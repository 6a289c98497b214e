#!/usr/bin/python3
"""netconfkit bench: bare paramiko reading one big <get-config> reply.

paramiko with nothing on top: opens the netconf subsystem, swaps hellos (base:1.0 for eom,
base:1.1 for chunked framing), sends one <get-config> whose filter asks the bench device for a
reply of BYTES bytes, and reads until the reply's end marker without keeping it. Prints one
JSON line: {"seconds", "replyBytes", "baselineRss", "maxRss", "paramiko"}.

usage: paramiko_big.py --host H --port P --user U --password PW --bytes N --framing eom|chunked
"""
import json
import sys
import time

import paramiko

from netconf_ssh import big_reply_args, open_netconf, peak_rss, reset_peak_rss, rss

NS = 'urn:ietf:params:xml:ns:netconf:base:1.0'


def main():
    a = big_reply_args()
    t, ch, _ = open_netconf(a.host, a.port, a.user, a.password)
    chunked = a.framing == 'chunked'
    caps = '<capability>urn:ietf:params:netconf:base:1.0</capability>'
    if chunked:
        caps += '<capability>urn:ietf:params:netconf:base:1.1</capability>'
    ch.sendall(('<hello xmlns="%s"><capabilities>%s</capabilities></hello>]]>]]>' % (NS, caps)).encode())
    rpc = ('<rpc xmlns="%s" message-id="1"><get-config><source><running/></source><filter type="subtree">'
           '<bench bytes="%d" framing="%s" error="0"/></filter></get-config></rpc>' % (NS, a.bytes, a.framing)).encode()
    end = b'\n##\n' if chunked else b']]>]]>'
    baseline = rss()
    reset_peak_rss()
    t0 = time.perf_counter()
    ch.sendall(b'\n#%d\n%s\n##\n' % (len(rpc), rpc) if chunked else rpc + b']]>]]>')
    total = 0
    tail = b''
    while True:
        d = ch.recv(1 << 20)
        if not d:
            raise EOFError('channel closed')
        total += len(d)
        tail = (tail + d[-len(end):])[-len(end):]
        if tail == end:
            break
    seconds = time.perf_counter() - t0
    ch.close()
    t.close()
    print(json.dumps({'seconds': seconds, 'replyBytes': total, 'baselineRss': baseline,
                      'maxRss': peak_rss(), 'paramiko': paramiko.__version__}))


if __name__ == '__main__':
    sys.exit(main())
