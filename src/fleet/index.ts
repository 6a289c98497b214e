// Fleets: retry by the error model, a circuit breaker per device, fan-out with a result per
// device. The BullMQ queue worker is the separate subpath `netconfkit/bullmq` (./bullmq.ts):
// nothing here imports bullmq.
export { withRetry, isRetryable, abortReason } from './retry.js';
export type { RetryOptions, AttemptContext } from './retry.js';
export { DeviceBreaker, CircuitBreakers, isTransportFailure } from './breaker.js';
export type { BreakerOptions, BreakerState } from './breaker.js';
export { runOnDevice } from './run-device.js';
export type { FleetDevice, DeviceOperation, OperationContext, RunOptions } from './run-device.js';
export { fanOut } from './fan-out.js';
export type { FanOutOptions, FanOutProgress } from './fan-out.js';
export { successResult, failureResult, isTransportLike } from './result.js';
export type { DeviceResult, DeviceSuccess, DeviceFailure } from './result.js';
export { readInventory, parseInventory } from './inventory.js';
