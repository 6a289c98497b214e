// The operations as the root entry exports them (src/index.ts re-exports this module whole).
// Named one by one: the helpers the modules share (withData, childXml, commitResult,
// junosMinutes) stay internal.
export {
  cancelCommit, closeSession, commitCandidate, copyConfig, deleteConfig, discardChanges, editConfig, get, getConfig,
  killSession, lockDatastore, parseData, unlockDatastore, validateConfig,
} from './rfc6241.js';
export type { CommitOptions, CommitReply, DataReply, EditConfigOptions, Filter, ReadItemsOptions, ReadOptions, ValidateReply, WithDefaults } from './rfc6241.js';
export { editData, getData, lockNmdaDatastore, unlockNmdaDatastore } from './nmda.js';
export { partialLock, partialUnlock } from './partial-lock.js';
export type { PartialLockOptions, PartialLockReply } from './partial-lock.js';
export type { EditDataOptions, GetDataItemsOptions, GetDataOptions, IdentityRef, NmdaDatastore, Origin, WritableNmdaDatastore } from './nmda.js';
export {
  closeConfiguration, commitConfiguration, diffConfiguration, getConfiguration, loadConfiguration, loadRescueConfiguration, lockConfiguration,
  openConfiguration, rollback, runCommand, saveRescueConfiguration, unlockConfiguration,
} from './junos.js';
export type {
  CommandReply, CommitConfigurationOptions, CommitResult, ConfigurationReply, DiffReply, GetConfigurationItemsOptions, GetConfigurationOptions, JunosFormat, LoadAction,
  LoadOptions, LoadResult, OpenConfigurationMode, OpenConfigurationOptions, RoutingEngineResult,
} from './junos.js';
export { cli, junosRpc } from './junos-rpc.js';
export type {
  JunosJsonReply, JunosRpcArgument, JunosRpcArguments, JunosRpcArgumentsByName, JunosRpcArgumentsFor, JunosRpcFormat, JunosRpcOptions, JunosRpcResult,
  JunosTextReply, JunosXmlReply,
} from './junos-rpc.js';
export { facts } from './junos-facts.js';
export type {
  FactsFailure, JunosFacts, JunosPersonality, JunosSwitchStyle, JunosVersion, RedundancyGroup, RedundancyGroupNode, RoutingEngineFacts,
  RoutingEngineInfo, RoutingEngineSummary, VmhostInfo,
} from './junos-facts.js';
export { commitFlow } from './commit-flow.js';
export type { CommitFlowOptions, CommitFlowResult, CommitStep } from './commit-flow.js';
export { resolveCommitOutcome } from './commit-outcome.js';
export type { CommitOutcome, ResolveCommitOptions } from './commit-outcome.js';
export type { CommitEvidence, JunosCommitEvidence, PendingConfirmedPolicy, RfcCommitEvidence } from './commit-dialect.js';
export { newCommitId } from './commit-id.js';
export type { CommitLogKind } from './commit-id.js';
export { getCommitHistory } from './junos-history.js';
export type { CommitHistoryEntry, CommitHistoryReply } from './junos-history.js';
export { getSchema } from './get-schema.js';
export type { CachedSchema, CachedSchemaOptions, GetSchemaOptions, SchemaReply } from './get-schema.js';
export { yangLibrary } from './yang-library.js';
export type { YangDatastore, YangLibrary, YangLibraryOptions, YangLibrarySource, YangModule, YangModuleSet, YangSubmodule } from './yang-library.js';
export { subscribe } from './notifications.js';
export type { ParsedNotification, SubscribeOptions, Subscription } from './notifications.js';
export type { ConfirmedCommit, Datastore, XmlContent } from './build.js';
export { establishSubscription, killSubscription } from './subscriptions.js';
export type {
  EstablishSubscriptionOptions, EstablishedSubscription, ModifySubscriptionOptions, OnChangeOptions, PushChangeUpdate, PushDatastore, PushUpdate,
  SubscribedNotification, SubscribedNotificationBase, SubscriptionEventRecord, SubscriptionFilter, SubscriptionStateChange, YangPatch, YangPatchEdit, YangPatchOperation,
} from './subscriptions.js';
