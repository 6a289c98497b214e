import { ErrorExtractor } from './extractor.js';

/**
 * Checks caller-supplied XML (a config, a filter) before it goes into a request: well-formed,
 * no DOCTYPE or entities. Several top-level elements are allowed, as in a `<config>` body.
 * Throws MALFORMED_XML.
 */
export function assertWellFormed(xml: string): void {
  const x = new ErrorExtractor();
  x.push(Buffer.from(`<netconfkit-check>${xml}</netconfkit-check>`, 'utf8'));
  x.end();
}
