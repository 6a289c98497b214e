/**
 * A streaming SAX parser (saxes, with namespaces) fed 64 KiB chunks, decoded to text as they
 * come, tracking elements: `rpc-error` in any namespace, and `error` / `warning` in the xnm
 * namespace outside `configuration`, counted at their end tags.
 */
import { SaxesParser } from 'saxes';
import { CHUNK } from '../config.js';
import { XNM } from '../generate.js';
import type { Method } from './types.js';

export const saxes: Method = {
  id: 'saxes',
  label: 'saxes (streaming SAX)',
  count(messages) {
    let n = 0;
    for (const m of messages) {
      const parser = new SaxesParser({ xmlns: true, position: false });
      let configDepth = 0;
      parser.on('opentag', (tag) => {
        if (tag.local === 'configuration') configDepth++;
      });
      parser.on('closetag', (tag) => {
        const local = tag.local;
        if (local === 'configuration') configDepth--;
        else if (local === 'rpc-error') n++;
        else if (configDepth === 0 && (local === 'error' || local === 'warning') && tag.uri === XNM) n++;
      });
      // Keep going past recoverable errors (an undeclared prefix), as a lenient user would.
      parser.on('error', () => {});
      const decoder = new TextDecoder('utf-8');
      for (let i = 0; i < m.length; i += CHUNK) parser.write(decoder.decode(m.subarray(i, i + CHUNK), { stream: true }));
      parser.write(decoder.decode());
      parser.close();
    }
    return n;
  },
};
