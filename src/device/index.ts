export { FakeDevice } from './fake-device.js';
export type {
  FakeDeviceOptions, FakeHandler, FakeLocks, FakeNotifyOptions, FakePersonality, FakePersonalityContext, FakePersonalityName, FakeQuirks, FakeRawNotifyOptions, FakeReply, FakeReplyOptions, FakeRequest, FakeRule,
  FakeCommit, FakeCommitFault, FakeDatastores, FakeDynamicSubscription, FakePushOptions, FakeSubscription, FakeUser, FakeYangLibraryShape, FakeYangModule,
} from './types.js';
export type { FakeCallHomeOptions, FakeOutboundSsh, FakeTlsOptions } from './types.js';
export { FAKE_DEVICE_CAPABILITIES } from './replies.js';
export { FAKE_PERSONALITY_NAMES } from './personalities.js';
export { FAKE_DEVICE_MODULES } from './yang-library.js';
export { JunosDevice, startJunosDevice, JUNOS_CAPABILITIES, JUNOS_NS, JUNOS_RELEASE } from './junos.js';
export type { JunosCommit, JunosItem, JunosLoad, JunosOkStyle, JunosOutcome, JunosPlatform, JunosScript } from './junos.js';
export { FakeDeviceFront } from './fake-front.js';
export { PlaybackDevice } from './playback.js';
export type { PlaybackOptions, UnmatchedRequest } from './playback.js';
