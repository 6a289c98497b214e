export * from './rfc6241.js';
export * from './junos.js';
export { commitFlow, JUNOS_CAPABILITY } from './commit-flow.js';
export type { CommitFlowOptions, CommitFlowResult, CommitStep } from './commit-flow.js';
export { subscribe } from './notifications.js';
export type { ParsedNotification, SubscribeOptions, Subscription } from './notifications.js';
export type { ConfirmedCommit, Datastore, XmlContent } from './build.js';
