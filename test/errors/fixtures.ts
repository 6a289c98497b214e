import {
  AuthenticationError,
  CertificateError,
  ClientError,
  CommitNotAppliedError,
  CommitOutcomeUnknownError,
  ConnectionError,
  HealthCheckFailedError,
  SubscriptionError,
  DeviceError,
  FramingError,
  HostKeyError,
  MalformedXmlError,
  NetconfError,
  ProtocolError,
  RpcError,
  TimeoutError,
  emptyDeviceFields,
  type DeviceErrorFields,
  type DeviceErrorKind,
} from '../../src/errors/index.js';

/** A DeviceErrorFields with the given fields set and the rest empty. */
export function fields(over: Partial<DeviceErrorFields> = {}, kind: DeviceErrorKind = over.kind ?? 'rpc-error'): DeviceErrorFields {
  return { ...emptyDeviceFields(kind), ...over };
}

/** Every DeviceErrorFields field set to a distinct non-empty value. */
export function fullFields(): DeviceErrorFields {
  return {
    kind: 'rpc-error',
    severity: 'error',
    type: 'protocol',
    tag: 'lock-denied',
    appTag: 'vendor-app-tag',
    path: '/nc:rpc/nc:lock',
    pathNamespaces: { nc: 'urn:ietf:params:xml:ns:netconf:base:1.0', '': 'urn:example:default' },
    message: 'Lock failed, lock is already held',
    messageLang: 'en',
    badElement: 'target',
    badElementSource: 'bad-element',
    info: { 'session-id': '454', 'bad-element': ['a', 'b'] },
    badAttributes: [{ attribute: 'operation', element: 'interface' }, { attribute: 'xmlns:x', element: null }],
    badNamespace: 'urn:example:bad',
    sessionId: 454,
    okElements: ['ok-a'],
    errElements: ['err-a', 'err-b'],
    noopElements: ['noop-a'],
    unknownInfo: ['<vendor-info xmlns="urn:example">x</vendor-info>'],
    editPath: '[edit interfaces ge-0/0/0]',
    statement: 'unit 0;',
    token: 'unit',
    sourceDaemon: 'mgd',
    filename: 'juniper.conf',
    lineNumber: '12',
    column: '4',
    routingEngine: 're0',
  };
}

export const DEVICE_FIELD_KEYS = Object.keys(emptyDeviceFields('rpc-error')).sort();

/** A nested cause chain, as a socket error under a wrapper would give. */
export function causeChain(): Error {
  const inner = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' });
  return new Error('socket closed', { cause: inner });
}

type AnyClass = abstract new (...args: never[]) => NetconfError;

export interface Sample {
  label: string;
  make: () => NetconfError;
  /** The exact class. */
  Class: AnyClass;
  /** Every class it must also be an instance of. */
  parents: AnyClass[];
}

export const ALL_CLASSES: { name: string; Class: AnyClass }[] = [
  { name: 'NetconfError', Class: NetconfError },
  { name: 'ConnectionError', Class: ConnectionError },
  { name: 'AuthenticationError', Class: AuthenticationError },
  { name: 'HostKeyError', Class: HostKeyError },
  { name: 'CertificateError', Class: CertificateError },
  { name: 'TimeoutError', Class: TimeoutError },
  { name: 'ProtocolError', Class: ProtocolError },
  { name: 'FramingError', Class: FramingError },
  { name: 'MalformedXmlError', Class: MalformedXmlError },
  { name: 'ClientError', Class: ClientError },
  { name: 'CommitOutcomeUnknownError', Class: CommitOutcomeUnknownError },
  { name: 'CommitNotAppliedError', Class: CommitNotAppliedError },
  { name: 'HealthCheckFailedError', Class: HealthCheckFailedError },
  { name: 'SubscriptionError', Class: SubscriptionError },
  { name: 'DeviceError', Class: DeviceError },
  { name: 'RpcError', Class: RpcError },
];

export function rpcErrorSample(): RpcError {
  const ignoredWarning = new DeviceError(fields({ severity: 'warning', message: 'statement has no effect', path: '[edit system]' }));
  ignoredWarning.ignored = true;
  return new RpcError(
    [
      ignoredWarning,
      new DeviceError(fullFields()),
      new DeviceError(
        fields({ severity: 'error', message: 'syntax error', editPath: '[edit interfaces]', statement: 'foo;', token: 'foo', badElementSource: 'token', badElement: 'foo' }, 'xnm:error'),
      ),
      new DeviceError(fields({ severity: 'error', tag: 'invalid-value', message: null, path: '/a/b' })),
    ],
    { messageId: '101', step: 'load' },
  );
}

export const SAMPLES: Sample[] = [
  { label: 'NetconfError', make: () => new NetconfError('UNKNOWN', 'something odd', { cause: causeChain() }), Class: NetconfError, parents: [] },
  {
    label: 'ConnectionError',
    make: () => new ConnectionError('CONNECTION_LOST', 'connection lost', { cause: causeChain() }),
    Class: ConnectionError,
    parents: [NetconfError],
  },
  {
    label: 'ConnectionError with retryable overridden',
    make: () => new ConnectionError('HOST_NOT_FOUND', 'getaddrinfo EAI_AGAIN router1', { retryable: true }),
    Class: ConnectionError,
    parents: [NetconfError],
  },
  {
    label: 'AuthenticationError',
    make: () => new AuthenticationError('AUTH_FAILED', 'All configured authentication methods failed'),
    Class: AuthenticationError,
    parents: [ConnectionError, NetconfError],
  },
  {
    label: 'CertificateError',
    make: () => new CertificateError('the certificate of 127.0.0.1:6513 is not valid for the name router1', { problem: 'name', fingerprint: 'AB:CD:EF' }),
    Class: CertificateError,
    parents: [ConnectionError, NetconfError],
  },
  {
    label: 'HostKeyError',
    make: () => new HostKeyError('HOST_KEY_MISMATCH', 'host key changed', { fingerprint: 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU' }),
    Class: HostKeyError,
    parents: [ConnectionError, NetconfError],
  },
  {
    label: 'HostKeyError without fingerprint',
    make: () => new HostKeyError('HOST_KEY_UNKNOWN', 'unknown host key'),
    Class: HostKeyError,
    parents: [ConnectionError, NetconfError],
  },
  {
    label: 'TimeoutError',
    make: () => new TimeoutError('RPC_TIMEOUT', 'no reply within 30000 ms'),
    Class: TimeoutError,
    parents: [NetconfError],
  },
  {
    label: 'TimeoutError with retryable overridden',
    make: () => new TimeoutError('CONNECT_TIMEOUT', 'gave up', { retryable: false }),
    Class: TimeoutError,
    parents: [NetconfError],
  },
  {
    label: 'ProtocolError',
    make: () => new ProtocolError('PROTOCOL_ERROR', 'unknown message-id 7'),
    Class: ProtocolError,
    parents: [NetconfError],
  },
  {
    label: 'FramingError',
    make: () => new FramingError('MESSAGE_TOO_LARGE', 'message over 64 MiB', { cause: 'chunk header overflow' }),
    Class: FramingError,
    parents: [ProtocolError, NetconfError],
  },
  {
    label: 'MalformedXmlError',
    make: () => new MalformedXmlError('unexpected end of input', { offset: 1234, cause: new SyntaxError('bad xml') }),
    Class: MalformedXmlError,
    parents: [ProtocolError, NetconfError],
  },
  {
    label: 'MalformedXmlError at offset 0',
    make: () => new MalformedXmlError('DOCTYPE not allowed', { offset: 0 }),
    Class: MalformedXmlError,
    parents: [ProtocolError, NetconfError],
  },
  {
    label: 'MalformedXmlError with a tag mismatch',
    make: () => new MalformedXmlError('end tag does not match', { offset: 40, tagMismatch: { start: 'routing-engine', end: 'commit-results' } }),
    Class: MalformedXmlError,
    parents: [ProtocolError, NetconfError],
  },
  {
    label: 'ClientError',
    make: () => new ClientError('CAPABILITY_MISSING', ':candidate is not advertised'),
    Class: ClientError,
    parents: [NetconfError],
  },
  {
    label: 'CommitOutcomeUnknownError',
    make: () => new CommitOutcomeUnknownError('commit was cut off', { cause: new ConnectionError('CONNECTION_LOST', 'lost', { cause: causeChain() }), commitId: 'nck-0123456789abcdef' }),
    Class: CommitOutcomeUnknownError,
    parents: [NetconfError],
  },
  {
    label: 'CommitNotAppliedError',
    make: () => new CommitNotAppliedError('commit not applied', { commitId: 'nck-0123456789abcdef', step: 'commit', cause: new CommitOutcomeUnknownError('cut off') }),
    Class: CommitNotAppliedError,
    parents: [NetconfError],
  },
  {
    label: 'HealthCheckFailedError',
    make: () => new HealthCheckFailedError('health check failed; reverted', { reverted: true, commitId: 'change-7', step: 'health-check' }),
    Class: HealthCheckFailedError,
    parents: [ClientError, NetconfError],
  },
  {
    label: 'SubscriptionError',
    make: () => new SubscriptionError('SUBSCRIPTION_TERMINATED', 'subscription 7 was terminated', { reasonIdentity: 'sn:no-such-subscription', subscriptionId: 7 }),
    Class: SubscriptionError,
    parents: [NetconfError],
  },
  { label: 'DeviceError', make: () => new DeviceError(fullFields()), Class: DeviceError, parents: [NetconfError] },
  {
    label: 'DeviceError warning without message',
    make: () => new DeviceError(fields({ severity: 'warning' })),
    Class: DeviceError,
    parents: [NetconfError],
  },
  {
    label: 'DeviceError warning set aside by a warning policy',
    make: () => {
      const w = new DeviceError(fields({ severity: 'warning', message: 'statement not applied' }, 'xnm:warning'));
      w.ignored = true;
      return w;
    },
    Class: DeviceError,
    parents: [NetconfError],
  },
  {
    label: 'DeviceError in config results',
    make: () => new DeviceError(fields({ severity: 'error', message: 'missing mandatory statement' }), { inConfigResults: true }),
    Class: DeviceError,
    parents: [NetconfError],
  },
  { label: 'RpcError', make: rpcErrorSample, Class: RpcError, parents: [NetconfError] },
];
