export { ERROR_CODES, DEVICE_CODES, TRANSPORT_AND_PROTOCOL_CODES, codeForTag, isErrorCode } from './codes.js';
export type { ErrorCategory, ErrorCode, CodeInfo } from './codes.js';
export type { CertificateProblem, TagMismatch } from './classes.js';
export { NetconfError } from './netconf-error.js';
export type { NetconfErrorJSON, CauseJSON, NetconfErrorOptions } from './netconf-error.js';
export {
  ConnectionError, AuthenticationError, CertificateError, HostKeyError, TimeoutError, ProtocolError, FramingError,
  MalformedXmlError, ClientError, CommitOutcomeUnknownError, CommitNotAppliedError, HealthCheckFailedError,
  SubscriptionError,
} from './classes.js';
export { DeviceError, RpcError, emptyDeviceFields } from './device-error.js';
export type { DeviceErrorFields, DeviceErrorJSON, DeviceErrorKind, Level, InfoValue } from './device-error.js';
export { toNetconfError } from './to-netconf-error.js';
