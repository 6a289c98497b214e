import { MalformedXmlError } from '../errors/classes.js';
import { type DeviceError, RpcError } from '../errors/device-error.js';
import { splitName } from '../xml/element-tree.js';
import { reportQuirk } from '../session/quirk-report.js';
import type { RpcOptions, RpcReply, Session } from '../session/session.js';

/**
 * A call that reads past the known Junos malformation: in rfc-compliant mode some releases
 * leave `<routing-engine>` unclosed in commit and validate results ("Opening and ending tag
 * mismatch"). The items read before the mismatch are kept (the extractor delivers each as it
 * ends); any error among them rejects typed, as the device meant; none: the reply is taken as
 * repaired. Any other malformed reply fails as usual.
 */
export async function tolerantRpc(session: Session, xml: string, options: RpcOptions): Promise<{ reply: RpcReply; repaired: boolean }> {
  const seen: DeviceError[] = [];
  const callerOnItem = options.onItem;
  try {
    const reply = await session.rpc(xml, { ...options, onItem: (item) => { seen.push(item); callerOnItem?.(item); } });
    return { reply, repaired: false };
  } catch (err) {
    if (!isUnclosedRoutingEngine(err)) throw err;
    reportQuirk(session, 'unclosed-routing-engine', 'Junos left <routing-engine> unclosed in its results: read up to the mismatch');
    if (seen.some((i) => i.level === 'error')) {
      throw new RpcError(seen, { message: `${summary(seen)} (read from a reply repaired: Junos left <routing-engine> unclosed)` });
    }
    return { reply: { messageId: '', xml: null, hasOk: false, items: seen, warnings: seen.filter((i) => i.level === 'warning') }, repaired: true };
  }
}

/** The mismatch Junos' rfc-compliant commit results cause, directly or as why a write's outcome is unknown. */
function isUnclosedRoutingEngine(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 3; depth++) {
    if (e instanceof MalformedXmlError) {
      const m = e.tagMismatch;
      return m !== null && splitName(m.start).local === 'routing-engine' && CLOSED_BY.has(splitName(m.end).local);
    }
    e = e.cause;
  }
  return false;
}

/** The end tags that meet the unclosed `<routing-engine>`: its results' and the reply's. */
const CLOSED_BY = new Set(['commit-results', 'rpc-reply']);

function summary(items: readonly DeviceError[]): string {
  const errors = items.filter((i) => i.level === 'error');
  return `The device reported ${errors.length === 1 ? 'an error' : `${errors.length} errors`}: ${errors.slice(0, 3).map((e) => e.message).join('; ')}`;
}
