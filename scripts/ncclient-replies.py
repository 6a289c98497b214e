#!/usr/bin/python3
"""Send NETCONF requests with ncclient and print each reply's XML, as JSON.

Run with Debian's /usr/bin/python3 (package python3-ncclient). netconfkit's tests use it to
check that a recording played back by `netconfkit serve` answers another client as the real
device answered netconfkit.

stdin, one JSON job:
  { "host": "127.0.0.1", "port": 8830, "username": "netconf", "password": "netconf",
    "requests": ["<lock><target><candidate/></target></lock>", ...],
    "native": false }
Each request is the XML of the rpc body (an <rpc> is accepted too: its body is used). They are
sent with manager.dispatch over one session, in order, then the session is closed with
close_session (with "close": false it is left to the process exit instead: ncclient waits out
its timeout for a close-session reply it cannot match). With "native": true, the requests are
instead ncclient's own calls:
lock("candidate"), get_config("running"), unlock("candidate") - its own element names and prefixes.

stdout: { "sessionId": "1", "replies": ["<rpc-reply ...>", ...] } with each reply's text as
ncclient received it (RPCReply.xml), or "exception: Type: text" for a failure.
Exit status 0 when the JSON was printed; 2 on a bad job or a failed connection.
"""
import json
import sys

from lxml import etree
from ncclient import manager
from ncclient.operations import RaiseMode
import ncclient.transport.ssh as nc_ssh

BASE_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
nc_ssh.TICK = 0.005  # only timing changes (see ncclient-errors.py)


def fail(msg):
    print("ncclient-replies: " + msg, file=sys.stderr)
    sys.exit(2)


def rpc_body(xml):
    wrapper = etree.fromstring(('<rpc xmlns="%s">%s</rpc>' % (BASE_NS, xml)).encode("utf-8"))
    body = [c for c in wrapper if isinstance(c.tag, str)][0]
    if body.tag == "{%s}rpc" % BASE_NS:
        body = [c for c in body if isinstance(c.tag, str)][0]
    return body


def main():
    try:
        job = json.load(sys.stdin)
    except ValueError as e:
        fail("bad job: %s" % e)
    try:
        m = manager.connect(host=job["host"], port=job["port"], username=job["username"], password=job["password"],
                            hostkey_verify=False, allow_agent=False, look_for_keys=False, timeout=30)
    except Exception as e:  # noqa: BLE001
        fail("connect failed: %s: %s" % (type(e).__name__, e))
    m.raise_mode = RaiseMode.NONE
    m.timeout = 30
    replies = []
    if job.get("native"):
        calls = [lambda: m.lock("candidate"), lambda: m.get_config("running"), lambda: m.unlock("candidate")]
    else:
        calls = [(lambda b: (lambda: m.dispatch(b)))(rpc_body(x)) for x in job["requests"]]
    for call in calls:
        try:
            replies.append(call().xml)
        except Exception as e:  # noqa: BLE001
            replies.append("exception: %s: %s" % (type(e).__name__, e))
    session_id = m.session_id
    if job.get("close", True):
        try:
            m.close_session()
        except Exception:  # noqa: BLE001
            pass
    print(json.dumps({"sessionId": session_id, "replies": replies}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
