/**
 * Named personalities: real servers' hellos and quirks as bundles of FakeDevice options, and
 * the quirks themselves, applied to whatever the device writes (so a rule's reply, the Junos
 * profile's and the defaults' all show them alike).
 */
import { encodeEom } from '../framing/encoder.js';
import { CAPABILITY } from '../xml/namespaces.js';
import { attributes, firstStartTag } from '../xml/query.js';
import { NETCONF_BASE_NS, escapeXml, helloXml } from './replies.js';
import type { FakeDeviceOptions, FakePersonality, FakePersonalityName, FakeQuirks } from './types.js';

/** A personality name stands for these options; options given beside it win (`quirks` field by field). */
interface Bundle {
  capabilities: readonly string[];
  quirks: FakeQuirks;
  /** The hello in the vendor's own layout; FakeDevice's own hello when absent. */
  hello?: (capabilities: readonly string[], sessionId: number) => string;
}

const WRITABLE_RUNNING = CAPABILITY.writableRunning;
const WRITEABLE_RUNNING = 'urn:ietf:params:netconf:capability:writeable-running:1.0';

const PERSONALITIES: Readonly<Record<FakePersonalityName, Bundle>> = {
  // Cisco IOS-XE 17.15: no message-id on any reply.
  iosxe: {
    capabilities: [
      CAPABILITY.base10,
      CAPABILITY.base11,
      WRITABLE_RUNNING,
      CAPABILITY.xpath,
      'urn:ietf:params:netconf:capability:validate:1.0',
      CAPABILITY.validate11,
      'urn:ietf:params:netconf:capability:rollback-on-error:1.0',
      CAPABILITY.notification,
      CAPABILITY.interleave,
      `${CAPABILITY.withDefaults}?basic-mode=explicit&also-supported=report-all-tagged`,
      'http://cisco.com/ns/yang/Cisco-IOS-XE-native?module=Cisco-IOS-XE-native&revision=2024-07-01',
    ],
    quirks: { omitMessageId: true },
  },
  // Cisco NX-OS 9.3: nf:-prefixed hello listing the base namespace too; <close-session> unanswered.
  nxos: {
    capabilities: [
      NETCONF_BASE_NS,
      CAPABILITY.base10,
      'urn:ietf:params:netconf:capability:validate:1.0',
      WRITABLE_RUNNING,
      'urn:ietf:params:netconf:capability:url:1.0?scheme=file',
      'urn:ietf:params:netconf:capability:rollback-on-error:1.0',
      CAPABILITY.candidate,
      CAPABILITY.confirmedCommit10,
    ],
    quirks: { closeWithoutOk: true },
    hello: nxosHello,
  },
  // Huawei VRP (CE6850): NUL bytes around every message.
  huawei: {
    capabilities: [
      CAPABILITY.base10,
      WRITABLE_RUNNING,
      CAPABILITY.candidate,
      CAPABILITY.confirmedCommit10,
      'urn:ietf:params:netconf:capability:rollback-on-error:1.0',
      'urn:ietf:params:netconf:capability:validate:1.0',
      'urn:ietf:params:netconf:capability:startup:1.0',
      CAPABILITY.xpath,
      'http://www.huawei.com/netconf/capability/execute-cli/1.0',
      'http://www.huawei.com/netconf/capability/action/1.0',
      'http://www.huawei.com/netconf/capability/discard-commit/1.0',
    ],
    quirks: { nulPadding: true },
  },
  // Older Cisco IOS (15.x; Vyatta spells it the same way): writeable-running.
  ios: {
    capabilities: [
      CAPABILITY.base10,
      WRITEABLE_RUNNING,
      'urn:ietf:params:netconf:capability:startup:1.0',
      'urn:ietf:params:netconf:capability:url:1.0',
      'urn:cisco:params:netconf:capability:pi-data-model:1.0',
      'urn:cisco:params:netconf:capability:notification:1.0',
    ],
    quirks: { writeableRunning: true },
  },
};

/** Every personality name, in the order the documentation lists them. */
export const FAKE_PERSONALITY_NAMES: readonly FakePersonalityName[] = Object.freeze(Object.keys(PERSONALITIES) as FakePersonalityName[]);

/** Every quirk option, in the order the documentation lists them. */
export const FAKE_QUIRKS: readonly (keyof FakeQuirks)[] = Object.freeze(['omitMessageId', 'unquotedMessageId', 'nulPadding', 'closeWithoutOk', 'writeableRunning'] as const);

export function isPersonalityName(name: unknown): name is FakePersonalityName {
  return typeof name === 'string' && Object.hasOwn(PERSONALITIES, name);
}

/** What a device runs with once a personality name is expanded. */
export interface Expanded {
  capabilities: readonly string[];
  quirks: FakeQuirks;
  personality: FakePersonality | undefined;
}

/** Expands `options.personality` when it is a name; applies the capability quirk to the list. */
export function expandPersonality(options: FakeDeviceOptions, fallback: () => readonly string[]): Expanded {
  const named = typeof options.personality === 'string' ? PERSONALITIES[options.personality] : undefined;
  const quirks: FakeQuirks = { ...named?.quirks, ...options.quirks };
  const given = options.capabilities ?? named?.capabilities ?? fallback();
  const capabilities = quirks.writeableRunning ? respellWritableRunning(given) : given;
  const layout = named?.hello;
  const personality = typeof options.personality === 'object' ? options.personality : layout ? { hello: (id: number) => encodeEom(layout(capabilities, id)).toString('utf8') } : undefined;
  return { capabilities, quirks, personality };
}

/** `:writable-running` spelt the old way, added after the base versions when the list lacks it. */
function respellWritableRunning(capabilities: readonly string[]): string[] {
  const respelt = capabilities.map((c) => (c === WRITABLE_RUNNING ? WRITEABLE_RUNNING : c));
  if (respelt.includes(WRITEABLE_RUNNING)) return respelt;
  const at = respelt.filter((c) => c === CAPABILITY.base10 || c === CAPABILITY.base11).length;
  return [...respelt.slice(0, at), WRITEABLE_RUNNING, ...respelt.slice(at)];
}

function nxosHello(capabilities: readonly string[], sessionId: number): string {
  const caps = capabilities.map((c) => `  <nf:capability>${escapeXml(c)}</nf:capability>\n`).join('');
  return `<?xml version="1.0" encoding="ISO-8859-1"?>\n<nf:hello xmlns:nf="${NETCONF_BASE_NS}">\n <nf:capabilities>\n${caps} </nf:capabilities>\n <nf:session-id>${sessionId}</nf:session-id>\n</nf:hello>\n`;
}

/** Bytes a device with `nulPadding` writes after the root element and after the message. */
export const NUL_PADDING = { inside: Buffer.from([0]), after: Buffer.from([0, 0]) } as const;

/**
 * The reply with its root's `message-id` attribute dropped (`omit`) or unquoted (`unquote`);
 * unchanged when the root has none. Only the root's start tag is read.
 */
export function respellMessageId(xml: string, how: 'omit' | 'unquote'): string {
  const root = firstStartTag(xml);
  const id = root && attributes(xml, root).find((a) => a.name === 'message-id');
  if (!id) return xml;
  let from = xml.lastIndexOf('message-id', id.quoteStart);
  while (from > 0 && ' \t\r\n'.includes(xml[from - 1]!)) from--;
  const replacement = how === 'omit' ? '' : ` message-id=${xml.slice(id.valueStart, id.valueEnd)}`;
  return xml.slice(0, from) + replacement + xml.slice(id.valueEnd + 1);
}
