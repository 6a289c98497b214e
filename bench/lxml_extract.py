#!/usr/bin/python3
"""netconfkit bench: lxml's view of a workload.

Reads the workload from a file (one or more whole NETCONF messages separated by NUL bytes) and
times two ways a Python user finds every rpc-error (any namespace) and every Junos xnm:error /
xnm:warning outside <configuration>:

  fromstring  lxml.etree.fromstring, then one XPath (what ncclient users do: ncclient builds
              the tree and searches it)
  iterparse   lxml.etree.iterparse with a tag filter, the ancestors checked for the xnm items

Each: warm-up, then the median of the measured samples (a sample repeats the call until it
lasts --sample-seconds; no new sample once --budget-seconds have passed). The file read is not timed. Prints one JSON line:
{"lxml": version, "fromstring": {"seconds", "count", "runs", "recovered"}, "iterparse": {...}}.

usage: lxml_extract.py FILE [--warmup-calls N] [--warmup-seconds S] [--runs N] [--sample-seconds S]
                       [--budget-seconds S]
"""
import argparse
import io
import json
import statistics
import sys
import time

from lxml import etree

XNM = 'http://xml.juniper.net/xnm/1.1/xnm'
# descendant-or-self::* rather than //*: libxml2 builds //* as descendant-or-self::node()/*,
# whose node-set (text nodes included) passes its 10,000,000-node limit on a 128 MiB reply.
FIND = etree.XPath(
    "descendant-or-self::*[local-name()='rpc-error'] | "
    "descendant-or-self::*[namespace-uri()=$xnm and (local-name()='error' or local-name()='warning')]"
    "[not(ancestor::*[local-name()='configuration'])]"
)
STRICT = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
LENIENT = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True, recover=True)
TAGS = ('{*}rpc-error', '{%s}error' % XNM, '{%s}warning' % XNM)


def by_fromstring(messages):
    count = recovered = 0
    for m in messages:
        try:
            root = etree.fromstring(m, STRICT)
        except etree.XMLSyntaxError:
            recovered += 1  # e.g. an undeclared prefix: a user would retry leniently
            root = etree.fromstring(m, LENIENT)
            if root is None:
                continue
        count += len(FIND(root, xnm=XNM))
    return count, recovered


def in_configuration(el):
    for a in el.iterancestors():
        if etree.QName(a).localname == 'configuration':
            return True
    return False


def by_iterparse(messages):
    count = recovered = 0
    for m in messages:
        def run(recover):
            n = 0
            for _, el in etree.iterparse(io.BytesIO(m), events=('end',), tag=TAGS, huge_tree=True,
                                         resolve_entities=False, no_network=True, recover=recover):
                if el.tag.endswith('}rpc-error') or el.tag == 'rpc-error' or not in_configuration(el):
                    n += 1
            return n
        try:
            count += run(False)
        except etree.XMLSyntaxError:
            recovered += 1
            count += run(True)
    return count, recovered


def measure(fn, messages, a):
    calls = 0
    last = 0.0
    w0 = time.perf_counter()
    result = (0, 0)
    while calls < a.warmup_calls or (time.perf_counter() - w0 < a.warmup_seconds and calls < 10000):
        t = time.perf_counter()
        result = fn(messages)
        last = time.perf_counter() - t
        calls += 1
    reps = 1 if calls == 0 else max(1, int(-(-a.sample_seconds // max(last, 1e-6))))
    runs = []
    s0 = time.perf_counter()
    for i in range(a.runs):
        if i > 0 and time.perf_counter() - s0 >= a.budget_seconds:
            break
        t0 = time.perf_counter()
        for _ in range(reps):
            result = fn(messages)
        runs.append((time.perf_counter() - t0) / reps)
    return {'seconds': statistics.median(runs), 'count': result[0], 'recovered': result[1], 'runs': runs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('file')
    ap.add_argument('--warmup-calls', type=int, default=1)
    ap.add_argument('--warmup-seconds', type=float, default=0)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--sample-seconds', type=float, default=0)
    ap.add_argument('--budget-seconds', type=float, default=1e9)
    a = ap.parse_args()
    with open(a.file, 'rb') as f:
        data = f.read()
    messages = [m for m in data.split(b'\0') if m]
    del data
    out = {'lxml': '.'.join(map(str, etree.LXML_VERSION[:3]))}
    for name, fn in (('fromstring', by_fromstring), ('iterparse', by_iterparse)):
        try:
            out[name] = measure(fn, messages, a)
        except Exception as e:  # reported in the table, the other variant still runs
            out[name] = {'error': '%s: %s' % (type(e).__name__, e)}
    print(json.dumps(out))


if __name__ == '__main__':
    sys.exit(main())
