import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import { JUNOS_CAPABILITY } from '../xml/namespaces.js';
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
  readonly capabilities: { has(uri: string): boolean };
}

/** What the flow hook reads of commitFlow's options, and the progress callback it listens on. */
export interface ObservedFlow {
  dialect?: 'junos' | 'rfc' | undefined;
  dryRun?: boolean | undefined;
  confirmed?: object | undefined;
  onStep?(event: { step: string; status: 'start' | 'done' | 'failed' }): void;
}

export function traceCommitFlow<S extends ObservedSession, O extends ObservedFlow, R extends { committed: boolean }>(
  session: S,
  options: O,
  run: (session: S, options: O) => Promise<R>,
): Promise<R> {
  const context: CommitFlowContext = {
    device: session.name, sessionId: session.sessionId,
    dialect: options.dialect ?? (session.capabilities.has(JUNOS_CAPABILITY) ? 'junos' : 'rfc'),
    dryRun: options.dryRun === true, confirmed: options.confirmed !== undefined, steps: [], committed: false,
  };
  // The steps are recorded through the flow's own progress callback, the caller's still called.
  const onStep = (event: { step: string; status: 'start' | 'done' | 'failed' }) => {
    if (event.status === 'start') context.steps.push(event.step);
    options.onStep?.(event);
  };
  const done = (result: R) => {
    context.committed = result.committed;
  };
  return traceAsync(diagnostics.commitFlow, context, () => run(session, { ...options, onStep }), done, asError);
}

export function traceStep<T>(session: ObservedSession, step: string, action: () => Promise<T>): Promise<T> {
  const context: CommitStepContext = { device: session.name, sessionId: session.sessionId, step };
  return traceAsync(diagnostics.commitStep, context, action, () => undefined, asError);
}

function asError(err: unknown): NetconfError {
  return toNetconfError(err);
}
