import { type Channel, type TracingChannel, channel, tracingChannel } from 'node:diagnostics_channel';
import type { DeviceError } from '../errors/device-error.js';
import type { NetconfError } from '../errors/netconf-error.js';
import type { CallbackSource } from './callbacks.js';
import type { QuirkKind } from '../reader/quirks.js';

/**
 * Every `node:diagnostics_channel` channel netconfkit publishes to, in one place (as undici's
 * lib/core/diagnostics.js). Each publish is guarded by `hasSubscribers`, so a process with no
 * subscriber pays a property read per hook and builds no payload.
 *
 * No payload holds a password, passphrase or key, nor a message body: bodies (configuration
 * included) go only to `netconfkit:wire`, whose subscribers ask for them by subscribing, and
 * even there Junos secrets are masked (`unredactedBody()` is the explicit way round that).
 */

/** `tracing:netconfkit:connect:*`: one connect(), SSH and hello included. */
export interface ConnectContext {
  /** The name the session goes by in messages (default `host:port`). */
  device: string;
  host: string;
  port: number;
  /** As given (null: the SSH default, the local user). */
  username: string | null;
  /** Set once the hellos are exchanged. */
  framing: 'eom' | 'chunked' | null;
  sessionId: number | null;
  /** Set before `error` is published. */
  error?: NetconfError;
}

/** `tracing:netconfkit:rpc:*`: one Session.rpc() call, from the call to its settling. */
export interface RpcContext {
  device: string;
  sessionId: number | null;
  /** The local name of the request's root element: `get-config`, `lock`, `load-configuration`… */
  operation: string;
  /** Null when the call failed before it was framed (a closed session, an invalid request). */
  messageId: string | null;
  /** The call was marked as a write (its outcome is unknown if it is cut off). */
  write: boolean;
  /** The request's size in bytes (the message, without framing). */
  bytesOut: number;
  /** The reply's size in bytes, once it has been read (0 when none was). */
  bytesIn: number;
  /** Errors and warnings in the reply. */
  items: number;
  errors: number;
  warnings: number;
  /** Set before `error` is published. */
  error?: NetconfError;
}

/** `tracing:netconfkit:commitFlow:*`: one commitFlow() run. */
export interface CommitFlowContext {
  device: string;
  sessionId: number | null;
  dialect: 'junos' | 'rfc' | null;
  /** The id the commit carries on the device. */
  commitId: string | null;
  dryRun: boolean;
  confirmed: boolean;
  /** The steps run so far; the last is where it failed, on failure. */
  steps: string[];
  committed: boolean;
  /** The commit was cut off and found applied through a new session. */
  recovered: boolean;
  error?: NetconfError;
}

/** `tracing:netconfkit:commitFlow:step:*`: one step of a commitFlow() run (its RPCs nest inside). */
export interface CommitStepContext {
  device: string;
  sessionId: number | null;
  step: string;
  error?: NetconfError;
}

/** `netconfkit:item`: an error or warning, the moment it is read. */
export interface ItemMessage {
  device: string;
  sessionId: number | null;
  messageId: string | null;
  item: DeviceError;
}

/** `netconfkit:notification`: a notification as received. Its text is a body: only its size is here. */
export interface NotificationMessage {
  device: string;
  sessionId: number | null;
  eventTime: string | null;
  bytes: number;
}

/** `netconfkit:session:close`: a session ended; `error` is why (null for a clean close). */
export interface SessionCloseMessage {
  device: string;
  sessionId: number | null;
  error: NetconfError | null;
}

/** `netconfkit:quirk`: a deviation from the RFCs the session read past, once per session per kind. */
export interface QuirkMessage {
  device: string;
  sessionId: number | null;
  kind: QuirkKind;
  /** What was seen, in words (never a message body). */
  detail: string;
}

/** `netconfkit:wire`: each message sent or received, with its body (opt-in by subscribing). */
export interface WireMessage {
  device: string;
  sessionId: number | null;
  direction: 'sent' | 'received';
  /** The message's root element local name: `rpc`, `rpc-reply`, `notification`, `hello`. */
  kind: string;
  messageId: string | null;
  framing: 'eom' | 'chunked';
  /** The message's size (the payload, without framing). */
  bytes: number;
  /** The text, Junos secrets masked; null when it was not kept (a reply read with `collect: false`). */
  readonly body: string | null;
  /** The text as it was, secrets included: for the subscriber that means it. */
  unredactedBody(): string | null;
}

/** `netconfkit:callbackError`: a caller's callback threw (or its promise rejected); nothing else changed (see callbacks.ts). */
export interface CallbackErrorMessage {
  /** The session's name, when the callback belonged to one (null: replay, fleet runs, commit flows). */
  device: string | null;
  /** Which callback: a session event's name, or the option's (`onItem`, `onStep`…). */
  source: CallbackSource;
  /** What it threw, or what its promise rejected with, as it was. */
  error: unknown;
}

export const diagnostics = {
  connect: tracingChannel('netconfkit:connect') as TracingChannel<object, ConnectContext>,
  rpc: tracingChannel('netconfkit:rpc') as TracingChannel<object, RpcContext>,
  commitFlow: tracingChannel('netconfkit:commitFlow') as TracingChannel<object, CommitFlowContext>,
  commitStep: tracingChannel('netconfkit:commitFlow:step') as TracingChannel<object, CommitStepContext>,
  item: channel('netconfkit:item') as Channel<object, ItemMessage>,
  notification: channel('netconfkit:notification') as Channel<object, NotificationMessage>,
  sessionClose: channel('netconfkit:session:close') as Channel<object, SessionCloseMessage>,
  wire: channel('netconfkit:wire') as Channel<object, WireMessage>,
  callbackError: channel('netconfkit:callbackError') as Channel<object, CallbackErrorMessage>,
  quirk: channel('netconfkit:quirk') as Channel<object, QuirkMessage>,
} as const;

/**
 * Whether anything listens on a tracing channel. (TracingChannel#hasSubscribers is newer than
 * Node 20.0; its five channels say the same.)
 */
export function traced(tc: TracingChannel<object, object>): boolean {
  return tc.start.hasSubscribers || tc.end.hasSubscribers || tc.asyncStart.hasSubscribers || tc.asyncEnd.hasSubscribers || tc.error.hasSubscribers;
}

/**
 * Runs `fn` under a tracing channel, publishing `start`, `end`, then `error` (on failure),
 * `asyncStart` and `asyncEnd` in the order TracingChannel#tracePromise does — but without
 * putting the resolved value in the context: a reply holds message bodies, and a session its
 * options. `onValue` copies what subscribers may see before `asyncStart`.
 */
export function traceAsync<C extends { error?: NetconfError }, T>(
  tc: TracingChannel<object, C>,
  context: C,
  fn: () => Promise<T>,
  onValue: (value: T) => void,
  asError: (err: unknown) => NetconfError,
): Promise<T> {
  const fail = (err: unknown): never => {
    context.error = asError(err);
    tc.error.publish(context);
    tc.asyncStart.publish(context);
    tc.asyncEnd.publish(context);
    throw err;
  };
  return tc.start.runStores(context, () => {
    try {
      return fn().then((value) => {
        onValue(value);
        tc.asyncStart.publish(context);
        tc.asyncEnd.publish(context);
        return value;
      }, fail);
    } catch (err) {
      context.error = asError(err);
      tc.error.publish(context);
      throw err;
    } finally {
      tc.end.publish(context);
    }
  });
}
