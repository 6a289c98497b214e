/**
 * netconfkit/fleet: one operation over many devices. Retry by the error model, a circuit
 * breaker per device, fan-out with one result per device, inventories. The BullMQ queue worker
 * is `netconfkit/bullmq` (./bullmq.ts), built on this; nothing here imports bullmq.
 *
 * @module netconfkit/fleet
 */
export { isRetryable, withRetry } from './retry.js';
export type { AttemptContext, RetryOptions } from './retry.js';
export { CircuitBreakers, DeviceBreaker } from './breaker.js';
export type { Breaker, BreakerOptions, BreakerState } from './breaker.js';
export { runOnDevice } from './run-device.js';
export type { DeviceOperation, FleetDevice, OperationContext, RunOptions } from './run-device.js';
export { fanOut } from './fan-out.js';
export type { FanOutOptions, FanOutProgress } from './fan-out.js';
export type { FleetBreakerOpen, FleetDone, FleetEvent, FleetRetrying, FleetStarted } from './events.js';
export type { DeviceFailure, DeviceResult, DeviceResultBase, DeviceSuccess } from './result.js';
export { parseInventory, readInventory } from './inventory.js';
export type { InventoryCredentials } from './inventory.js';
