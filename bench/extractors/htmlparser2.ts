/**
 * htmlparser2's streaming Parser in xmlMode, fed 64 KiB chunks decoded to text as they come. It
 * has no namespaces, so the reader tracks names as a user would: `rpc-error` with any prefix,
 * and `error` / `warning` with the `xnm:` prefix (or unprefixed under a default xnm namespace)
 * outside `configuration`, counted at their end tags.
 */
import { Parser } from 'htmlparser2';
import { CHUNK } from '../config.js';
import { XNM } from '../generate.js';
import type { Method } from './types.js';

const local = (name: string) => name.slice(name.indexOf(':') + 1);

export const htmlparser2: Method = {
  id: 'htmlparser2',
  label: 'htmlparser2 (xmlMode, streaming)',
  count(messages) {
    let n = 0;
    for (const m of messages) {
      let configDepth = 0;
      // Whether each open element is an xnm item candidate (its prefix or default namespace is xnm).
      const xnm: boolean[] = [];
      const parser = new Parser({
        onopentag(name, attrs) {
          const l = local(name);
          if (l === 'configuration') configDepth++;
          const prefix = name.includes(':') ? name.slice(0, name.indexOf(':')) : '';
          xnm.push(prefix ? attrs[`xmlns:${prefix}`] === XNM || prefix === 'xnm' : attrs.xmlns === XNM);
        },
        onclosetag(name) {
          const l = local(name);
          const isXnm = xnm.pop() ?? false;
          if (l === 'configuration') configDepth--;
          else if (l === 'rpc-error') n++;
          else if (configDepth === 0 && (l === 'error' || l === 'warning') && isXnm) n++;
        },
      }, { xmlMode: true });
      const decoder = new TextDecoder('utf-8');
      for (let i = 0; i < m.length; i += CHUNK) parser.write(decoder.decode(m.subarray(i, i + CHUNK), { stream: true }));
      parser.write(decoder.decode());
      parser.end();
    }
    return n;
  },
};
