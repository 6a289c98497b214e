import type { NetconfError } from '../errors/netconf-error.js';
import { toNetconfError } from '../errors/to-netconf-error.js';
import type { CommitFlowOptions, CommitFlowResult } from '../operations/commit-flow.js';
import type { Session } from '../session/session.js';
import { JUNOS_CAPABILITY } from '../xml/namespaces.js';
import { type CommitFlowContext, type CommitStepContext, diagnostics, traceAsync } from './diagnostics.js';

/**
 * What commitFlow calls, each behind a `hasSubscribers` check: the flow under
 * `netconfkit:commitFlow` and each step under `netconfkit:commitFlow:step`, so a tracer shows
 * the flow, its steps, and each step's RPCs inside it.
 */

export function traceCommitFlow(
  session: Session,
  options: CommitFlowOptions,
  run: (session: Session, options: CommitFlowOptions) => Promise<CommitFlowResult>,
): Promise<CommitFlowResult> {
  const context: CommitFlowContext = {
    device: deviceOf(session), sessionId: session.sessionId,
    dialect: options.dialect ?? (session.capabilities.has(JUNOS_CAPABILITY) ? 'junos' : 'rfc'),
    dryRun: options.dryRun === true, confirmed: options.confirmed !== undefined, steps: [], committed: false,
  };
  // The steps are recorded through the flow's own progress callback, the caller's still called.
  const onStep: CommitFlowOptions['onStep'] = (event) => {
    if (event.status === 'start') context.steps.push(event.step);
    options.onStep?.(event);
  };
  const done = (result: CommitFlowResult) => {
    context.committed = result.committed;
  };
  return traceAsync(diagnostics.commitFlow, context, () => run(session, { ...options, onStep }), done, asError);
}

export function traceStep<T>(session: Session, step: string, action: () => Promise<T>): Promise<T> {
  const context: CommitStepContext = { device: deviceOf(session), sessionId: session.sessionId, step };
  return traceAsync(diagnostics.commitStep, context, action, () => undefined, asError);
}

function asError(err: unknown): NetconfError {
  return toNetconfError(err);
}

// The name the session uses in its messages (private to Session: read, not exposed).
function deviceOf(session: Session): string {
  return session['name'];
}
