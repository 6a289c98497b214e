/**
 * netconfkit/testing: NETCONF devices for test harnesses. `FakeDevice` is an SSH NETCONF
 * server on 127.0.0.1 with scripted replies and injected faults; `JunosDevice`
 * (`startJunosDevice`) acts like a Junos box; `PlaybackDevice` answers from a recording
 * (`connect({ record })`). See src/device/README.md.
 *
 * @module netconfkit/testing
 */
export * from './device/index.js';
