import type { FanOutProgress } from '../fleet/fan-out.js';
import type { DeviceResult } from '../fleet/result.js';

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** A finished device and the counts so far; `total` is null while devices may still come (`listen`). */
export type Progress = Omit<FanOutProgress<unknown>, 'total'> & { total: number | null };

/**
 * Progress on `stream`: a bar redrawn in place on a terminal (a count when the total is not
 * known), one line per finished device otherwise (logs, CI). `end()` finishes the bar's line.
 */
export function progressReporter(stream: Stream, label: string) {
  const tty = stream.isTTY === true;
  let drawn = false;
  return {
    update(p: Progress): void {
      const counts = `ok ${p.ok}  failed ${p.failed}`;
      if (tty) {
        const width = 30;
        const filled = p.total === null ? 0 : Math.round((p.done / Math.max(1, p.total)) * width);
        const bar = p.total === null ? `${p.done} device(s)` : `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total}`;
        stream.write(`\r${label} ${bar}  ${counts}`);
        drawn = true;
        return;
      }
      const r = p.result;
      const what = r.ok ? 'ok' : `${r.error_code}: ${oneLine(r.error)}`;
      const at = p.total === null ? String(p.done) : `${String(p.done).padStart(String(p.total).length)}/${p.total}`;
      stream.write(`[${at}] ${r.device} ${what}\n`);
    },
    end(): void {
      if (drawn) stream.write('\n');
    },
  };
}

/** One row per device, then the totals and the count of each error code. */
export function summaryTable(results: readonly DeviceResult<unknown>[]): string {
  const rows = [['DEVICE', 'RESULT', 'CODE', 'TRIES', 'TIME', 'MESSAGE']];
  for (const r of results) {
    rows.push([
      r.device,
      r.ok ? 'ok' : 'failed',
      r.ok ? '' : r.error_code,
      String(r.attempts),
      `${(r.durationMs / 1000).toFixed(1)} s`,
      r.ok ? (r.warnings.length > 0 ? `${r.warnings.length} warning(s)` : '') : oneLine(r.error),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const lines = rows.map((row) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
  const failed = results.filter((r) => !r.ok);
  const codes = new Map<string, number>();
  for (const r of failed) if (!r.ok) codes.set(r.error_code, (codes.get(r.error_code) ?? 0) + 1);
  const byCode = [...codes].map(([code, n]) => `${n} ${code}`).join(', ');
  lines.push('', `${results.length} devices: ${results.length - failed.length} ok, ${failed.length} failed${byCode ? ` (${byCode})` : ''}`);
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
