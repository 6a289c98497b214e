/**
 * netconfkit: NETCONF for TypeScript. The public surface, layer by layer:
 * errors (one hierarchy), framing (RFC 6242 bytes), xml (streaming rpc-error extraction),
 * replay (captures in, typed errors out).
 */
export * from './errors/index.js';
export * from './framing/index.js';
export { ErrorExtractor, XNM_NAMESPACE } from './xml/extractor.js';
export type { ExtractorEvents, ExtractorLimits, MessageSummary, RootInfo } from './xml/extractor.js';
export { Replayer, replay, replayStream } from './replay/replayer.js';
export type { ReplayFraming, ReplayMessage, ReplayOptions, ReplayResult, Trailing } from './replay/replayer.js';
export { Session } from './session/session.js';
export { NETCONF_BASE_NS, NETCONF_NOTIFICATION_NS } from './session/constants.js';
export type { Notification, RpcOptions, RpcReply, RpcRequest, SessionEvents, SessionOptions, SessionTransport } from './session/session.js';
export { connect } from './session/connect.js';
export type { ConnectOptions } from './session/connect.js';
export { Capabilities, CAPABILITY } from './session/capabilities.js';
export type { ModuleCapability } from './session/capabilities.js';
export type { WarningMatcher, WarningPolicy } from './session/warning-policy.js';
export { openSshChannel } from './transport/ssh-transport.js';
export type { JumpHost, SshChannel, SshOptions } from './transport/ssh-transport.js';
export type { KeyboardInteractiveHandler, KeyboardInteractiveInfo, KeyboardInteractivePrompt } from './transport/auth.js';
export { fingerprint } from './transport/host-keys.js';
export { parseXml } from './xml/parse-data.js';
export type { ParseOptions, XmlObject, XmlValue } from './xml/parse-data.js';
export * from './device/index.js';
export * from './operations/index.js';
export * from './fleet/index.js';
