/**
 * netconfkit/testing: NETCONF devices for test harnesses. `FakeDevice` is an SSH NETCONF
 * server on 127.0.0.1 with scripted replies and injected faults; `JunosDevice`
 * (`startJunosDevice`) acts like a Junos box; `PlaybackDevice` answers from a recording
 * (`connect({ record })`). See src/device/README.md.
 *
 * @module netconfkit/testing
 */
export { FakeDevice } from './device/fake-device.js';
export type {
  FakeDeviceOptions, FakeHandler, FakeLocks, FakeNotifyOptions, FakePersonality, FakePersonalityContext, FakePersonalityName, FakeQuirks, FakeRawNotifyOptions, FakeReply, FakeReplyOptions, FakeRequest, FakeRule,
  FakeCommit, FakeCommitFault, FakeDatastores, FakeSubscription, FakeUser,
} from './device/types.js';
export type { FakeCallHomeOptions, FakeOutboundSsh, FakeTlsOptions } from './device/types.js';
export { FAKE_DEVICE_CAPABILITIES } from './device/replies.js';
export { FAKE_PERSONALITY_NAMES } from './device/personalities.js';
export { JUNOS_CAPABILITIES, JUNOS_NS, JUNOS_RELEASE, JunosDevice, startJunosDevice } from './device/junos.js';
export type { JunosCommit, JunosItem, JunosLoad, JunosOkStyle, JunosOutcome, JunosPlatform, JunosScript } from './device/junos.js';
export { PlaybackDevice } from './device/playback.js';
export type { PlaybackOptions, UnmatchedRequest } from './device/playback.js';
