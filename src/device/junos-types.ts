import type { JunosPlatform } from './junos-platforms.js';

/**
 * The script of the Junos-flavoured fake device: what it answers, which quirks it shows and
 * which faults it injects. The device reads it on every request, so a test may change it
 * between calls (`device.script.commit = { errors: [...] }`).
 */

/** One warning or error the device reports about a configuration statement. */
export interface JunosItem {
  /** The device's message (sent padded with newlines, as Junos does). */
  message: string;
  /** The hierarchy: `system services` or `[edit system services]` (sent in the bracketed form). */
  path?: string;
  /** The offending element: `<bad-element>` in an rpc-error, `<token>` in an xnm item. */
  element?: string;
  /** The offending statement: `<statement>` in an xnm item (`<bad-element>` in an rpc-error when no `element`). */
  statement?: string;
  /** Commit and check items only: the routing engine that reports it (default: the first one). */
  routingEngine?: string;
}

/** Warnings and errors of one step. Any error fails the step. */
export interface JunosOutcome {
  warnings?: JunosItem[];
  errors?: JunosItem[];
}

/**
 * How a successful commit is answered: `commit-results` (a `<routing-engine>` per RE and an
 * `<ok/>`), `bare-ok` (only `<ok/>`, as some platforms and rfc-compliant sessions: the
 * warnings are dropped), or `output` (Junos Evolved: an `<output>` line beside `<ok/>`).
 */
export type JunosOkStyle = 'commit-results' | 'bare-ok' | 'output';

/** How a JunosDevice answers: read on every request, so a test can change it between calls. */
export interface JunosScript {
  /**
   * The platform the operational RPCs describe (software, routing engines, inventory, virtual
   * chassis, cluster): `vmx` (default), `mx-single-re`, `mx-dual-re`, `srx-cluster`, `ex-vc`.
   */
  platform?: JunosPlatform;
  /**
   * With `rfcCompliant`: commit, commit check and `<validate>` results leave each
   * `<routing-engine>` unclosed, their items as `<rpc-error>`s (the malformed replies of some
   * rfc-compliant releases). `<validate>` then answers with commit-check results.
   */
  unclosedRoutingEngine?: boolean;
  /** Outcome of every `<load-configuration>` (not of `rollback`). */
  load?: JunosOutcome;
  /** Outcome of `<commit-configuration><check/>`. */
  check?: JunosOutcome;
  /** Outcome of a commit (Junos `<commit-configuration>` or RFC `<commit>`). */
  commit?: JunosOutcome;
  /** The text of `compare="rollback"`; default: the loaded candidate, each line prefixed with `+ `. */
  diff?: string;
  /** The XML inside `<configuration>` of `get-configuration` / `get-config`; default: system/host-name. */
  configuration?: string;
  /** Routing engine names, in order (default `['re0']`). */
  routingEngines?: string[];
  /** Default `commit-results`. */
  okStyle?: JunosOkStyle;
  /** `rfc-compliant`: every NETCONF element carries the `nc:` prefix, base:1.1 is advertised too. Read at each hello. */
  rfcCompliant?: boolean;
  /** Text written before the hello (the restricted-user quirk). Read at each hello. */
  preHelloText?: string;
  /** `get-software-information` (and `show version` as XML) answers from two REs, the second with an xnm `<error>`. */
  multiReError?: boolean;
  /** An operation (local name, e.g. `commit-configuration`) that is never answered. */
  stallOn?: string;
  /** An operation whose reply is cut off halfway by a dropped connection (the device did act on it). */
  dropOn?: string;
  /** Text outputs of `<command>`, by command line; `show version` has a default. */
  commands?: Record<string, string>;
}
