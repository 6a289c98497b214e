/**
 * The process's own peak RSS. `process.resourceUsage().maxRSS` (getrusage) is no use in a child:
 * Linux carries the parent's peak across fork and exec, so a child of a bench process holding
 * a big reply reports that as its own. VmHWM is the high-water mark of this process's own
 * memory, and writing 5 to /proc/self/clear_refs resets it to the current RSS.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** VmHWM in bytes, or null where /proc is not there. */
export function vmHwm(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Starts VmHWM again from the current RSS. */
export function resetHwm(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux: the peak falls back to getrusage's (see peakRss).
  }
}

/** The peak RSS since the last resetHwm(): VmHWM, else getrusage's maxRSS. */
export function peakRss(): number {
  return vmHwm() ?? process.resourceUsage().maxRSS * 1024;
}
