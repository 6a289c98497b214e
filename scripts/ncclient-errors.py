#!/usr/bin/python3
"""Send NETCONF requests with ncclient and print the rpc-errors ncclient sees, as JSON.

Run with Debian's /usr/bin/python3 (package python3-ncclient; scripts/netconfd.sh installs it).
A comparison tool for netconfkit's tests: the same requests against the same server, seen
through ncclient's RPCReply / RPCError.

stdin, one JSON job:
  {
    "host": "127.0.0.1", "port": 8830, "username": "netconf", "password": "netconf",
    "clientKey": "/path/key",          optional: log in with this key instead of the password
    "timeout": 30,                     optional: seconds to wait for each reply
    "requests": ["<lock><target><candidate/></target></lock>", ...]
  }
Each request is the XML of the rpc body (the element inside <rpc>). It is parsed as if it were
inside <rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">, so un-prefixed elements without
their own xmlns are in the NETCONF base namespace. A whole <rpc> is accepted too (its body is used;
ncclient always writes its own <rpc message-id="urn:uuid:...">). All requests go over one session,
in order; ncclient never raises on rpc-error here (raise_mode NONE).

stdout, one JSON document:
  {
    "sessionId": "5",
    "results": [
      {
        "ok": true | false,            ncclient's RPCReply.ok (no rpc-error parsed)
        "errors": [                    ncclient's RPCReply.errors, in order
          { "type", "tag", "severity", "app_tag", "path", "message":  ncclient's strings (or null),
            "info":     { local name of each error-info child: its text (a list if repeated) } or null,
            "info_xml": the raw <error-info> XML as ncclient gives it (RPCError.info) or null }
        ],
        "exception": null | "TypeName: text"   a failure other than rpc-error (timeout, closed session)
      }, ...
    ]
  }
Exit status 0 when the JSON was printed; 2 on a bad job or a failed connection (message on stderr).
"""
import json
import sys

from lxml import etree
from ncclient import manager
from ncclient.operations import RaiseMode
import ncclient.transport.ssh as nc_ssh

BASE_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"

# ncclient's SSH loop polls its send queue every TICK (0.1 s) seconds, which caps a session at
# about 10 sequential requests per second. Only timing changes; what is sent and parsed does not.
nc_ssh.TICK = 0.005


def fail(msg):
    print("ncclient-errors: " + msg, file=sys.stderr)
    sys.exit(2)


def local_name(tag):
    return etree.QName(tag).localname if isinstance(tag, str) else None


def rpc_body(xml):
    """The request element, parsed as the child of an <rpc> in the base namespace."""
    wrapper = etree.fromstring(('<rpc xmlns="%s">%s</rpc>' % (BASE_NS, xml)).encode("utf-8"))
    children = [c for c in wrapper if isinstance(c.tag, str)]
    if len(children) != 1:
        raise ValueError("a request must hold exactly one element, found %d" % len(children))
    body = children[0]
    if body.tag == "{%s}rpc" % BASE_NS:
        inner = [c for c in body if isinstance(c.tag, str)]
        if len(inner) != 1:
            raise ValueError("an <rpc> request must hold exactly one element, found %d" % len(inner))
        body = inner[0]
    return body


def info_dict(err):
    """error-info children as {local name: text}, from the <error-info> element of the rpc-error."""
    raw = err.xml  # the <rpc-error> element ncclient parsed
    info = raw.find("{%s}error-info" % BASE_NS) if raw is not None else None
    if info is None:
        return None
    out = {}
    for child in info:
        name = local_name(child.tag)
        if name is None:
            continue
        text = child.text if len(child) == 0 else etree.tostring(child, encoding="unicode", with_tail=False)
        if name in out:
            prev = out[name]
            out[name] = (prev if isinstance(prev, list) else [prev]) + [text]
        else:
            out[name] = text
    return out


def error_json(err):
    return {
        "type": err.type,
        "tag": err.tag,
        "severity": err.severity,
        "app_tag": err.app_tag,
        "path": err.path,
        "message": err.message,
        "info": info_dict(err),
        "info_xml": err.info,
    }


def main():
    try:
        job = json.load(sys.stdin)
    except ValueError as e:
        fail("stdin is not a JSON job: %s" % e)
    if not isinstance(job, dict):
        fail("the job must be a JSON object")
    requests = job.get("requests")
    if not isinstance(requests, list) or not all(isinstance(r, str) for r in requests):
        fail("requests must be a list of XML strings")
    try:
        bodies = [rpc_body(r) for r in requests]
    except (etree.XMLSyntaxError, ValueError) as e:
        fail("bad request XML: %s" % e)

    params = dict(
        host=job.get("host", "127.0.0.1"),
        port=int(job.get("port", 830)),
        username=job.get("username", "netconf"),
        hostkey_verify=False,  # loopback comparison tool; the tests check host keys themselves
        look_for_keys=False,
        allow_agent=False,
        timeout=float(job.get("timeout", 30)),
        device_params={"name": "default"},
    )
    if job.get("clientKey"):
        params["key_filename"] = job["clientKey"]
    else:
        params["password"] = job.get("password", "")
    try:
        m = manager.connect(**params)
    except Exception as e:  # noqa: BLE001 - report any connection failure
        fail("connect to %s:%s failed: %s: %s" % (params["host"], params["port"], type(e).__name__, e))

    results = []
    try:
        m.raise_mode = RaiseMode.NONE
        m.timeout = float(job.get("timeout", 30))
        for body in bodies:
            try:
                reply = m.dispatch(body)
                results.append({"ok": reply.ok, "errors": [error_json(e) for e in reply.errors], "exception": None})
            except Exception as e:  # noqa: BLE001 - a failure that is not an rpc-error
                results.append({"ok": False, "errors": [], "exception": "%s: %s" % (type(e).__name__, e)})
        session_id = m.session_id
    finally:
        try:
            if m.connected:
                m.close_session()
        except Exception:  # noqa: BLE001 - the server may already have closed the session
            pass
    json.dump({"sessionId": session_id, "results": results}, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
