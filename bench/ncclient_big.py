#!/usr/bin/python3
"""netconfkit bench: ncclient as shipped reading one big <get-config> reply.

manager.connect (host key check off: the bench device's key is fresh), then one get_config
whose filter asks the bench device for a reply of BYTES bytes; ncclient parses the reply with
lxml as it does for every user. ncclient always offers base:1.1; for eom its base capability
list is cut to base:1.0 (so the device answers with ]]>]]> framing), nothing else is changed. Prints one JSON line: {"seconds", "baselineRss", "maxRss", "ncclient"}.

usage: ncclient_big.py --host H --port P --user U --password PW --bytes N --framing eom|chunked
"""
import json
import sys
import time

import ncclient
from ncclient import manager

from netconf_ssh import big_reply_args, peak_rss, reset_peak_rss, rss


def main():
    a = big_reply_args()
    if a.framing == 'eom':
        from ncclient.devices.default import DefaultDeviceHandler
        DefaultDeviceHandler._BASE_CAPABILITIES = [c for c in DefaultDeviceHandler._BASE_CAPABILITIES if not c.endswith('base:1.1')]
    m = manager.connect(host=a.host, port=a.port, username=a.user, password=a.password, hostkey_verify=False,
                        look_for_keys=False, allow_agent=False, timeout=600)
    m.timeout = 600
    flt = ('subtree', '<bench bytes="%d" framing="%s" error="0"/>' % (a.bytes, a.framing))
    baseline = rss()
    reset_peak_rss()
    t0 = time.perf_counter()
    reply = m.get_config(source='running', filter=flt)
    seconds = time.perf_counter() - t0
    ok = reply.ok
    m.close_session()
    print(json.dumps({'seconds': seconds, 'ok': ok, 'baselineRss': baseline,
                      'maxRss': peak_rss(), 'ncclient': ncclient.__version__}))


if __name__ == '__main__':
    sys.exit(main())
