export {
  FrameDecoder,
  isBetweenMessages,
  MAX_CHUNK_SIZE,
  DEFAULT_MAX_MESSAGE_BYTES,
  type FramingMode,
  type FrameSink,
  type FrameDecoderOptions,
} from './decoder.js';
export { encodeEom, encodeChunked, encodeMessage, DEFAULT_ENCODE_CHUNK_BYTES } from './encoder.js';
