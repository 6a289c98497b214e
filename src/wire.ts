/**
 * netconfkit/wire: the byte layers under the session, for tools that read or write NETCONF
 * streams themselves. RFC 6242 framing (`FrameDecoder`, `encodeEom`, `encodeChunked`), the
 * streaming `<rpc-error>` extractor (`ErrorExtractor`), and `MessageReader`, which joins them
 * into one outcome per message as live sessions and replay do. No I/O.
 *
 * @module netconfkit/wire
 */
export { DEFAULT_MAX_MESSAGE_BYTES, FrameDecoder, MAX_CHUNK_SIZE } from './framing/decoder.js';
export type { FrameDecoderOptions, FrameSink, FramingMode } from './framing/decoder.js';
export { DEFAULT_ENCODE_CHUNK_BYTES, encodeChunked, encodeEom } from './framing/encoder.js';
export { ErrorExtractor } from './xml/extractor.js';
export { XNM_NAMESPACE } from './xml/namespaces.js';
export type { ContentSpan, ExtractorEvents, ExtractorLimits, Limits, MessageSummary, RootInfo } from './xml/extractor.js';
export { IncomingMessage, MessageReader } from './reader/message-reader.js';
export type { MessageOutcome, ReaderHandler, ReaderOptions } from './reader/message-reader.js';
