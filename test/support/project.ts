import type { ReplayResult } from '../../src/replay/replayer.js';

/** The corpus's view of a replay: what expected.json records, computed from our result. */
export function corpusView(result: ReplayResult) {
  const entries = result.messages.flatMap((m) => m.items.map((item) => ({ ...item.toJSON(), messageIndex: m.index })));
  const count = (sev: string) => entries.filter((e) => e.severity === sev).length;
  return {
    framing: result.framing,
    messageCount: result.messages.length,
    messages: result.messages.map((m) => ({
      root: m.root?.local ?? null,
      messageId: m.messageId,
      hasOk: m.hasOk,
      errorCount: m.items.filter((i) => i.severity === 'error').length,
      warningCount: m.items.filter((i) => i.severity === 'warning').length,
      bom: m.bom,
      skippedText: m.skippedText,
    })),
    trailing: result.trailing,
    hasOk: result.messages.some((m) => m.hasOk),
    errorCount: count('error'),
    warningCount: count('warning'),
    otherSeverityCount: entries.length - count('error') - count('warning'),
    entries,
  };
}
