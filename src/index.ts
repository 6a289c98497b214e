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
