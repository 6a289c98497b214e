"""netconfkit bench: what the bare Python clients share.

`open_netconf` opens the netconf subsystem over paramiko and reads the device's <hello>;
`rss` is the process's resident set size; `big_reply_args` reads the big-reply clients' command
line. No NETCONF library on top.
"""
import argparse
import resource
import socket

import paramiko


def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def reset_peak_rss():
    """Starts VmHWM again from the current RSS (getrusage's peak would carry the parent's)."""
    with open('/proc/self/clear_refs', 'w') as f:
        f.write('5')


def peak_rss():
    """This process's own peak RSS (VmHWM) since reset_peak_rss()."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def big_reply_args():
    """--host --port --user --password --framing --bytes, all required."""
    ap = argparse.ArgumentParser()
    for name in ('host', 'user', 'password', 'framing'):
        ap.add_argument('--' + name, required=True)
    ap.add_argument('--port', type=int, required=True)
    ap.add_argument('--bytes', type=int, required=True)
    return ap.parse_args()


def open_netconf(host, port, user, password):
    """Returns (transport, channel, the device's hello bytes up to its ]]>]]>)."""
    sock = socket.create_connection((host, port), timeout=30)
    t = paramiko.Transport(sock)
    t.start_client(timeout=30)
    t.auth_password(user, password)
    ch = t.open_session(timeout=30)
    ch.invoke_subsystem('netconf')
    buf = b''
    while b']]>]]>' not in buf:
        d = ch.recv(65536)
        if not d:
            raise EOFError('no <hello>')
        buf += d
    return t, ch, buf
