/** This library: ErrorExtractor fed each message in 64 KiB chunks, as a socket delivers it. */
import { ErrorExtractor } from '../../src/wire.js';
import { CHUNK } from '../config.js';
import type { Method } from './types.js';

export function feedExtractor(message: Buffer, onItem: () => void, chunk = CHUNK): void {
  const extractor = new ErrorExtractor({ onItem });
  for (let i = 0; i < message.length; i += chunk) extractor.push(message.subarray(i, i + chunk));
  extractor.end();
}

export const netconfkit: Method = {
  id: 'netconfkit',
  label: 'netconfkit ErrorExtractor',
  count(messages) {
    let n = 0;
    const onItem = () => {
      n++;
    };
    for (const m of messages) feedExtractor(m, onItem);
    return n;
  },
};
