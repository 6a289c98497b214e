import { type XmlObject, type XmlValue, parseXml } from '../xml/parse-data.js';
import { JUNOS_VERSION } from './junos-replies.js';
import { escapeXml } from './replies.js';

/**
 * The device's canned configuration and operational data, and the configuration in the
 * other Junos formats: curly-brace text, `set` commands and JSON, converted from the XML.
 */

export const DEFAULT_HOST_NAME = 'fake-junos';
export const DEFAULT_CONFIGURATION = `<system>\n<host-name>${DEFAULT_HOST_NAME}</host-name>\n</system>`;

/** The `host-name` in a configuration, or the default. */
export function hostNameOf(configuration: string): string {
  const m = /<(?:[\w.-]+:)?host-name(?:\s[^>]*)?>([^<]*)</.exec(configuration);
  return m?.[1]?.trim() || DEFAULT_HOST_NAME;
}

export function showVersionText(hostName: string): string {
  return [
    `Hostname: ${hostName}`,
    'Model: vmx',
    `Junos: ${JUNOS_VERSION}`,
    `JUNOS OS Kernel 64-bit  [20231120.0a1b2c3_builder_stable_13]`,
    `JUNOS OS runtime [20231120.0a1b2c3_builder_stable_13]`,
    `JUNOS Packet Forwarding Engine Simulation Package [${JUNOS_VERSION}]`,
  ].join('\n');
}

export function softwareInformation(hostName: string): string {
  return (
    `<software-information>\n<host-name>${escapeXml(hostName)}</host-name>\n<product-model>vmx</product-model>\n` +
    `<product-name>vmx</product-name>\n<junos-version>${JUNOS_VERSION}</junos-version>\n` +
    `<package-information>\n<name>junos</name>\n<comment>JUNOS Software Release [${JUNOS_VERSION}]</comment>\n</package-information>\n` +
    `</software-information>`
  );
}

/** The configuration (XML inside `<configuration>`) as Junos curly-brace text. */
export function configurationText(xml: string): string {
  const lines: string[] = [];
  const walk = (obj: XmlObject, indent: string) => {
    for (const [name, values] of entries(obj)) {
      for (const value of values) {
        const { key, leaf, children } = describe(name, value);
        if (leaf !== null) lines.push(`${indent}${key}${leaf === '' ? '' : ` ${quote(leaf)}`};`);
        else if (children === null) lines.push(`${indent}${key};`);
        else {
          lines.push(`${indent}${key} {`);
          walk(children, `${indent}    `);
          lines.push(`${indent}}`);
        }
      }
    }
  };
  walk(parse(xml), '');
  return lines.join('\n');
}

/** The configuration as `set` commands. */
export function configurationSet(xml: string): string {
  const lines: string[] = [];
  const walk = (obj: XmlObject, path: string) => {
    for (const [name, values] of entries(obj)) {
      for (const value of values) {
        const { key, leaf, children } = describe(name, value);
        const here = path === '' ? key : `${path} ${key}`;
        if (leaf !== null) lines.push(`set ${here}${leaf === '' ? '' : ` ${quote(leaf)}`}`);
        else if (children === null || entries(children).length === 0) lines.push(`set ${here}`);
        else walk(children, here);
      }
    }
  };
  walk(parse(xml), '');
  return lines.join('\n');
}

/** The configuration as Junos JSON (`{"configuration": {…}}`), leaves as strings. */
export function configurationJson(xml: string): string {
  const strip = (value: XmlValue): unknown => {
    if (typeof value === 'string') return value === '' ? [null] : value;
    if (Array.isArray(value)) return value.map(strip);
    const out: Record<string, unknown> = {};
    for (const [name, values] of entries(value)) out[name] = values.length === 1 ? strip(values[0]!) : values.map(strip);
    if (Object.keys(out).length === 0 && typeof value['#text'] === 'string') return value['#text'];
    return out;
  };
  return JSON.stringify({ configuration: strip(parse(xml)) }, null, 4);
}

function parse(xml: string): XmlObject {
  return parseXml(`<configuration>${xml}</configuration>`).configuration as XmlObject;
}

/** Child elements by name, each as a list (attributes and text left out). */
function entries(obj: XmlObject | string): [string, XmlValue[]][] {
  if (typeof obj === 'string') return [];
  return Object.entries(obj)
    .filter(([name]) => !name.startsWith('@_') && name !== '#text')
    .map(([name, v]) => [name, Array.isArray(v) ? v : [v]]);
}

/** One element: a leaf (its text), or a container; a list entry is keyed by its `name`. */
function describe(name: string, value: XmlValue): { key: string; leaf: string | null; children: XmlObject | null } {
  if (typeof value === 'string') return { key: name, leaf: value, children: null };
  if (Array.isArray(value)) return { key: name, leaf: null, children: null };
  const kids = entries(value);
  if (kids.length === 0) return { key: name, leaf: typeof value['#text'] === 'string' ? value['#text'] : null, children: null };
  const keyName = value.name;
  if (typeof keyName === 'string') {
    const rest: XmlObject = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'name') rest[k] = v;
    return { key: `${name} ${quote(keyName)}`, leaf: null, children: entries(rest).length === 0 ? null : rest };
  }
  return { key: name, leaf: null, children: value };
}

function quote(text: string): string {
  return /^[^\s";{}]+$/.test(text) ? text : `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
