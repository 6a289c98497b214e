/** The floor: a loop that only finds every `<` with Buffer.indexOf, in 64 KiB chunks. No parser is faster. */
import { CHUNK } from '../config.js';
import type { Method } from './types.js';

/** Kept where the optimiser cannot drop the loop. */
export let lessThanSigns = 0;

export const indexOfFloor: Method = {
  id: 'indexof-floor',
  label: 'floor: indexOf("<") only',
  count(messages) {
    let n = 0;
    for (const m of messages) {
      for (let start = 0; start < m.length; start += CHUNK) {
        const chunk = m.subarray(start, start + CHUNK);
        let i = chunk.indexOf(0x3c);
        while (i !== -1) {
          n++;
          i = chunk.indexOf(0x3c, i + 1);
        }
      }
    }
    lessThanSigns = n;
    return null;
  },
};
