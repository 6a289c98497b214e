/**
 * netconfkit: NETCONF over SSH (and TLS) for TypeScript. Every `<rpc-error>` becomes a typed error with a
 * stable code, the moment its end tag arrives.
 *
 * The root entry is what an application needs: `connect` and the `Session`, the error
 * hierarchy and its codes, the operations and the safe commit flow, notifications, replay of
 * captured sessions. Fleets are `netconfkit/fleet` (BullMQ jobs: `netconfkit/bullmq`), the fake
 * devices for tests `netconfkit/testing`, the framing and the streaming extractor
 * `netconfkit/wire`. What no entry exports is internal and may change in any release.
 *
 * @module netconfkit
 */

// Errors: one hierarchy, stable codes, JSON round trips.
export { ERROR_CODES, isErrorCode } from './errors/codes.js';
export type { CodeInfo, ErrorCategory, ErrorCode } from './errors/codes.js';
export { NetconfError } from './errors/netconf-error.js';
export type { CauseJSON, NetconfErrorJSON, NetconfErrorOptions } from './errors/netconf-error.js';
export {
  AuthenticationError, CertificateError, ClientError, CommitNotAppliedError, CommitOutcomeUnknownError, ConnectionError, HealthCheckFailedError, FramingError, HostKeyError,
  MalformedXmlError, ProtocolError, SubscriptionError, TimeoutError,
} from './errors/classes.js';
export type { CertificateProblem, TagMismatch } from './errors/classes.js';
export { DeviceError, RpcError } from './errors/device-error.js';
export type { DeviceErrorFields, DeviceErrorJSON, DeviceErrorKind, InfoValue, Level } from './errors/device-error.js';
export { toNetconfError } from './errors/to-netconf-error.js';

// The session.
export { connect } from './session/connect.js';
export type { ConnectOptions } from './session/connect.js';
export { Session } from './session/session.js';
export { CallHomeListener, listenCallHome } from './session/call-home.js';
export type { CallHomeEvents, CallHomeOptions, CallHomeSsh } from './session/call-home.js';
export { ItemStream, streamItems } from './session/item-stream.js';
export type { StreamItemsOptions } from './session/item-stream.js';
export type {
  CallHomeInfo, Notification, RpcOptions, RpcReply, RpcRequest, SessionEvents, SessionOptions, SessionState, SessionTransport, StartOptions,
} from './session/session.js';
export type { CallbackSource } from './observability/callbacks.js';
export type { BaseVersions } from './session/hello.js';
export {
  CAPABILITY, DATASTORES_NS, JUNOS_CAPABILITY, NETCONF_BASE_NS, NETCONF_MONITORING_NS, NETCONF_NOTIFICATION_NS, NMDA_NS, ORIGIN_NS, PARTIAL_LOCK_NS, WITH_DEFAULTS_NS, YANG_LIBRARY_NS,
} from './xml/namespaces.js';
export { Capabilities } from './session/capabilities.js';
export type { ModuleCapability, Respelling } from './session/capabilities.js';
export type { WarningMatcher, WarningPolicy } from './session/warning-policy.js';
export type { WireLogOptions, WireLogger } from './observability/wire-log.js';
export { redactSecrets } from './observability/redact.js';
export type { ClipOptions } from './observability/redact.js';
// The payloads of the diagnostics channels (see docs/observability.md).
export type {
  CallbackErrorMessage, CommitFlowContext, CommitStepContext, ConnectContext, ItemMessage, NotificationMessage, QuirkMessage, RpcContext, SessionCloseMessage,
  WireMessage,
} from './observability/diagnostics.js';
// The deviations from the RFCs a session reads past, and reports.
export { QUIRK_KINDS } from './reader/quirks.js';
export type { Quirk, QuirkKind } from './reader/quirks.js';
export type { JumpHost, SshAlgorithmList, SshAlgorithms, SshLogin, SshOptions } from './transport/ssh-transport.js';
export type { KeyboardInteractiveHandler, KeyboardInteractiveInfo, KeyboardInteractivePrompt } from './transport/auth.js';
export { fingerprint } from './transport/host-keys.js';
export type { PemInput, TlsOptions, TlsPeer } from './transport/tls-transport.js';
export type { ExtractorLimits, Limits } from './xml/extractor.js';
export type { FramingMode } from './framing/decoder.js';
export type { ParseOptions, XmlObject, XmlValue } from './xml/parse-data.js';

// Operations, the commit flow, notifications: whatever the operations index exports.
export * from './operations/index.js';

// Replay of captured sessions.
export { Replayer, replay, replayStream } from './replay/replayer.js';
export type { ReplayFraming, ReplayMessage, ReplayOptions, ReplayResult, Trailing } from './replay/replayer.js';
export type { MessageSummary, RootInfo } from './xml/extractor.js';

// Recordings: connect({ record }) writes them; PlaybackDevice (netconfkit/testing) answers from them.
export { RECORDING_VERSION, parseRecording, readRecording, recordingToCapture } from './recording/format.js';
export type { RecordedExchange, RecordedHello, RecordedNotification, Recording, RecordingEntry, RecordingHeader } from './recording/format.js';
export type { RecordOption, RecordOptions, RecordTarget } from './recording/recorder.js';
export type { RedactionRules } from './recording/redaction.js';
