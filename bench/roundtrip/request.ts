/** The request every client sends, and how rates are counted. */
export const GET_CONFIG = '<get-config><source><running/></source></get-config>';

export const NETCONF_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';

export interface RateResult {
  /** Who sent the RPCs, as the table names it. */
  client: string;
  id: string;
  count: number;
  inFlight: number;
  seconds: number;
  rpcsPerSecond: number;
  note?: string;
}

export function rate(client: string, id: string, count: number, inFlight: number, seconds: number, note?: string): RateResult {
  return { client, id, count, inFlight, seconds, rpcsPerSecond: count / seconds, ...(note ? { note } : {}) };
}
