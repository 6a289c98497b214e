#!/usr/bin/python3
"""netconfkit bench: a bare paramiko client's round-trip rate.

paramiko with nothing on top: opens the netconf subsystem, swaps hellos (base:1.1, chunked
framing), then writes each framed <get-config> straight into the channel and reads until the
reply's end marker, one at a time. Prints one JSON line: {"seconds", "count", "paramiko"}.

usage: paramiko_rtt.py --host H --port P --user U --password PW --count N
"""
import argparse
import json
import sys
import time

import paramiko

from netconf_ssh import open_netconf

NS = 'urn:ietf:params:xml:ns:netconf:base:1.0'
HELLO = ('<?xml version="1.0" encoding="UTF-8"?><hello xmlns="%s"><capabilities>'
         '<capability>urn:ietf:params:netconf:base:1.0</capability>'
         '<capability>urn:ietf:params:netconf:base:1.1</capability>'
         '</capabilities></hello>]]>]]>' % NS).encode()
GET_CONFIG = '<get-config><source><running/></source></get-config>'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--host', required=True)
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--user', required=True)
    ap.add_argument('--password', required=True)
    ap.add_argument('--count', type=int, required=True)
    ap.add_argument('--warmup', type=int, default=20)
    a = ap.parse_args()
    t, ch, buf = open_netconf(a.host, a.port, a.user, a.password)
    chunked = b'urn:ietf:params:netconf:base:1.1' in buf
    ch.sendall(HELLO)
    time.sleep(0.2)  # netconfd leaves an <rpc> that arrives in the same read as the <hello>
    msg_id = [0]

    def one():
        msg_id[0] += 1
        rpc = ('<rpc xmlns="%s" message-id="%d">%s</rpc>' % (NS, msg_id[0], GET_CONFIG)).encode()
        if chunked:
            ch.sendall(b'\n#%d\n%s\n##\n' % (len(rpc), rpc))
            end = b'\n##\n'
        else:
            ch.sendall(rpc + b']]>]]>')
            end = b']]>]]>'
        reply = b''
        while not reply.endswith(end):
            d = ch.recv(65536)
            if not d:
                raise EOFError('channel closed')
            reply += d

    for _ in range(a.warmup):
        one()
    t0 = time.perf_counter()
    for _ in range(a.count):
        one()
    seconds = time.perf_counter() - t0
    ch.close()
    t.close()
    print(json.dumps({'seconds': seconds, 'count': a.count, 'paramiko': paramiko.__version__}))


if __name__ == '__main__':
    sys.exit(main())
