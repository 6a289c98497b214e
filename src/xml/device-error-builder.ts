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
  fields.routingEngine ??= context.routingEngine;
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

// Each field is the text of the first child of its name (and `routingEngine` that of `re-name`):
// the children are read once, not once per field.

function rpcErrorFields(element: XmlElement): DeviceErrorFields {
  const f = emptyDeviceFields('rpc-error');
  let info: XmlElement | undefined;
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    switch (child.local) {
      case 'error-severity': f.severity ??= text(child); break;
      case 'error-type': f.type ??= text(child); break;
      case 'error-tag': f.tag ??= text(child); break;
      case 'error-app-tag': f.appTag ??= text(child); break;
      case 'error-path':
        if (f.path === null) {
          f.path = text(child);
          f.pathNamespaces = { ...child.namespaces };
        }
        break;
      case 'error-message':
        if (f.message === null) {
          f.message = text(child);
          f.messageLang = attribute(child, 'xml:lang');
        }
        break;
      case 'source-daemon': f.sourceDaemon ??= text(child); break;
      case 'error-info': info ??= child; break;
      case 're-name': f.routingEngine ??= text(child); break;
    }
  }
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
  for (const child of element.children) {
    if (typeof child === 'string') continue;
    switch (child.local) {
      case 'message':
        if (f.message === null) {
          f.message = text(child);
          f.messageLang = attribute(child, 'xml:lang');
        }
        break;
      case 'edit-path': f.editPath ??= text(child); break;
      case 'statement': f.statement ??= text(child); break;
      case 'token': f.token ??= text(child); break;
      case 'source-daemon': f.sourceDaemon ??= text(child); break;
      case 'filename': f.filename ??= text(child); break;
      case 'line-number': f.lineNumber ??= text(child); break;
      case 'column': f.column ??= text(child); break;
      case 're-name': f.routingEngine ??= text(child); break;
    }
  }
  if (f.statement !== null) {
    f.badElement = f.statement;
    f.badElementSource = 'statement';
  } else if (f.token !== null) {
    f.badElement = f.token;
    f.badElementSource = 'token';
  }
  return f;
}

function text(element: XmlElement): string {
  return trimXml(stringValue(element));
}
