import { JUNOS_VERSION } from './junos-replies.js';
import { escapeXml } from './replies.js';

/** The device's canned configuration and operational data. */

export const DEFAULT_HOST_NAME = 'fake-junos';
export const DEFAULT_CONFIGURATION = `<system>\n<host-name>${DEFAULT_HOST_NAME}</host-name>\n</system>`;

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
