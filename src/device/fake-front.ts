import type { FakeDevice } from './fake-device.js';
import type { FakeRequest } from './types.js';

/**
 * What a device built on a FakeDevice (JunosDevice, PlaybackDevice) shows of the one underneath:
 * where it listens, its host key, the requests it received.
 */
export abstract class FakeDeviceFront {
  /** The FakeDevice underneath. */
  abstract readonly device: FakeDevice;

  /** Always `127.0.0.1`. */
  get host(): '127.0.0.1' {
    return this.device.host;
  }

  /** The port it listens on. */
  get port(): number {
    return this.device.port;
  }

  /** OpenSSH style: `SHA256:` + unpadded base64. */
  get hostKeyFingerprint(): string {
    return this.device.hostKeyFingerprint;
  }

  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA…`, for a known_hosts file. */
  get knownHostsLine(): string {
    return this.device.knownHostsLine;
  }

  /** Every `<rpc>` received, in order. */
  get requests(): FakeRequest[] {
    return this.device.requests;
  }
}
