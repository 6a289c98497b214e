export { FakeDevice } from './fake-device.js';
export type { FakeDeviceOptions, FakeHandler, FakeReply, FakeReplyOptions, FakeRequest, FakeRule, FakeUser } from './types.js';
export { FAKE_DEVICE_CAPABILITIES } from './replies.js';
