import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { type CommitFlowContext, type CommitStepContext, diagnostics, traceAsync } from './diagnostics.js';

/**
 * What commitFlow calls, each behind a `hasSubscribers` check: the flow under
 * `netconfkit:commitFlow` and each step under `netconfkit:commitFlow:step`, so a tracer shows
 * the flow, its steps, and each step's RPCs inside it. The hooks sit below the session and the
 * operations: they read them through the public fields named here, never import them.
 */

/** What the hooks read of a session. */
export interface ObservedSession {
  readonly name: string;
  readonly sessionId: number | null;
}

/** What the flow hook reads of commitFlow's options, and the progress callback it listens on. */
export interface ObservedFlow {
  dryRun?: boolean | undefined;
  confirmed?: object | undefined;
  onStep?(event: { step: string; status: 'start' | 'done' | 'failed' }): void;
}

/** What the flow decides before it starts: its dialect and commit id. */
export interface FlowTraits {
  dialect: 'junos' | 'rfc';
  commitId: string;
}

export function traceCommitFlow<O extends ObservedFlow, R extends { committed: boolean; recovered: boolean }>(
  session: ObservedSession,
  traits: FlowTraits,
  options: O,
  run: (options: O) => Promise<R>,
): Promise<R> {
  const context: CommitFlowContext = {
    device: session.name, sessionId: session.sessionId, dialect: traits.dialect, commitId: traits.commitId,
    dryRun: options.dryRun === true, confirmed: options.confirmed !== undefined, steps: [], committed: false, recovered: false,
  };
  // The steps are recorded through the flow's own progress callback, the caller's still called.
  const onStep = (event: { step: string; status: 'start' | 'done' | 'failed' }) => {
    if (event.status === 'start') context.steps.push(event.step);
    options.onStep?.(event);
  };
  const done = (result: R) => {
    context.committed = result.committed;
    context.recovered = result.recovered;
  };
  return traceAsync(diagnostics.commitFlow, context, () => run({ ...options, onStep }), done, asError);
}

export function traceStep<T>(session: ObservedSession, step: string, action: () => Promise<T>): Promise<T> {
  const context: CommitStepContext = { device: session.name, sessionId: session.sessionId, step };
  return traceAsync(diagnostics.commitStep, context, action, () => undefined, asError);
}

function asError(err: unknown): NetconfError {
  return toNetconfError(err);
}
