import { DeviceError, type DeviceErrorFields, type DeviceErrorKind, type InfoValue, emptyDeviceFields } from '../errors/device-error.js';
import { trimXml } from './entities.js';
import { type XmlElement, attribute, childElements, stringValue, toXml } from './element-tree.js';

/** Where in the reply an item sat: what the element alone cannot say. */
export interface ItemContext {
  routingEngine: string | null;
  /** Inside `<load-configuration-results>` or `<commit-results>`. */
  inConfigResults: boolean;
}

const RFC_INFO = new Set(['bad-attribute', 'bad-element', 'bad-namespace', 'session-id', 'ok-element', 'err-element', 'noop-element']);

/** Turns a captured `<rpc-error>`, `<xnm:error>` or `<xnm:warning>` into a DeviceError. */
export function buildDeviceError(element: XmlElement, kind: DeviceErrorKind, context: ItemContext): DeviceError {
  const fields = kind === 'rpc-error' ? rpcErrorFields(element) : junosFields(element, kind);
  fields.routingEngine = text(element, 're-name') ?? context.routingEngine;
  // An item's stack would only point into the scanner; skipping it makes items cheap. The
  // RpcError that callers catch keeps its stack.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new DeviceError(fields, { inConfigResults: context.inConfigResults });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function rpcErrorFields(element: XmlElement): DeviceErrorFields {
  const f = emptyDeviceFields('rpc-error');
  f.severity = text(element, 'error-severity');
  f.type = text(element, 'error-type');
  f.tag = text(element, 'error-tag');
  f.appTag = text(element, 'error-app-tag');
  const path = first(element, 'error-path');
  if (path) {
    f.path = trimXml(stringValue(path));
    f.pathNamespaces = { ...path.namespaces };
  }
  const message = first(element, 'error-message');
  if (message) {
    f.message = trimXml(stringValue(message));
    f.messageLang = attribute(message, 'xml:lang');
  }
  f.sourceDaemon = text(element, 'source-daemon');
  const info = first(element, 'error-info');
  if (info) readInfo(info, f);
  return f;
}

function readInfo(info: XmlElement, f: DeviceErrorFields): void {
  const values = Object.create(null) as Record<string, InfoValue>;
  for (const child of childElements(info)) {
    const value = trimXml(stringValue(child));
    const seen = values[child.local];
    values[child.local] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    switch (child.local) {
      case 'bad-attribute':
        f.badAttributes.push({ attribute: value, element: null });
        break;
      case 'bad-element': {
        f.badElement ??= value;
        f.badElementSource = 'bad-element';
        // Pair it with the earliest bad-attribute still waiting for its element.
        const open = f.badAttributes.find((p) => p.element === null);
        if (open) open.element = value;
        break;
      }
      case 'bad-namespace':
        f.badNamespace ??= value;
        break;
      case 'session-id':
        // The first one; a number like Session.sessionId (the text stays in info).
        if (seen === undefined) f.sessionId = /^\d{1,15}$/.test(value) ? Number(value) : null;
        break;
      case 'ok-element':
        f.okElements.push(value);
        break;
      case 'err-element':
        f.errElements.push(value);
        break;
      case 'noop-element':
        f.noopElements.push(value);
        break;
    }
    if (!RFC_INFO.has(child.local)) f.unknownInfo.push(toXml(child));
  }
  // No prototype, so element names such as "constructor" or "__proto__" stay plain data.
  f.info = values;
}

function junosFields(element: XmlElement, kind: DeviceErrorKind): DeviceErrorFields {
  const f = emptyDeviceFields(kind);
  f.severity = kind === 'xnm:error' ? 'error' : 'warning';
  const message = first(element, 'message');
  if (message) {
    f.message = trimXml(stringValue(message));
    f.messageLang = attribute(message, 'xml:lang');
  }
  f.editPath = text(element, 'edit-path');
  f.statement = text(element, 'statement');
  f.token = text(element, 'token');
  f.sourceDaemon = text(element, 'source-daemon');
  f.filename = text(element, 'filename');
  f.lineNumber = text(element, 'line-number');
  f.column = text(element, 'column');
  if (f.statement !== null) {
    f.badElement = f.statement;
    f.badElementSource = 'statement';
  } else if (f.token !== null) {
    f.badElement = f.token;
    f.badElementSource = 'token';
  }
  return f;
}

function first(element: XmlElement, local: string): XmlElement | undefined {
  for (const child of element.children) if (typeof child !== 'string' && child.local === local) return child;
  return undefined;
}

function text(element: XmlElement, local: string): string | null {
  const child = first(element, local);
  return child ? trimXml(stringValue(child)) : null;
}
