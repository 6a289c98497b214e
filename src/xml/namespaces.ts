/**
 * Every namespace and capability URI the library speaks, in one table: the client, its
 * operations and the fake device all read them from here.
 */

/** RFC 6241's namespace: `<rpc>`, `<rpc-reply>`, `<hello>`, `<rpc-error>`. */
export const NETCONF_BASE_NS = 'urn:ietf:params:xml:ns:netconf:base:1.0';
/** RFC 5277's namespace: `<create-subscription>`, `<notification>`. */
export const NETCONF_NOTIFICATION_NS = 'urn:ietf:params:xml:ns:netconf:notification:1.0';
/** RFC 6243's namespace for the `<with-defaults>` parameter. */
export const WITH_DEFAULTS_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-with-defaults';
/** RFC 6022's namespace: `<get-schema>` and the `<data>` of its reply. */
export const NETCONF_MONITORING_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-monitoring';
/** RFC 8526's namespace: `<get-data>`, `<edit-data>` and the `<data>` of their replies. */
export const NMDA_NS = 'urn:ietf:params:xml:ns:yang:ietf-netconf-nmda';
/** RFC 8342's datastore identities (`ds:running`, `ds:operational`, …). */
export const DATASTORES_NS = 'urn:ietf:params:xml:ns:yang:ietf-datastores';
/** RFC 8342's origin identities and the `or:origin` annotation of `<get-data>` with-origin. */
export const ORIGIN_NS = 'urn:ietf:params:xml:ns:yang:ietf-origin';
/** RFC 5717's namespace: `<partial-lock>`, `<partial-unlock>`. */
export const PARTIAL_LOCK_NS = 'urn:ietf:params:xml:ns:netconf:partial-lock:1.0';
/** RFC 8525 / RFC 7895's namespace: `<yang-library>` and `<modules-state>`. */
export const YANG_LIBRARY_NS = 'urn:ietf:params:xml:ns:yang:ietf-yang-library';
/** Junos's namespace for `<xnm:error>` / `<xnm:warning>`. */
export const XNM_NAMESPACE = 'http://xml.juniper.net/xnm/1.1/xnm';
/** The capability a Junos device advertises: it speaks the Junos dialect (load-configuration, commit-configuration). */
export const JUNOS_CAPABILITY = 'http://xml.juniper.net/netconf/junos/1.0';

/** Well-known capability URIs (RFC 6241 §8, RFC 5277, RFC 6243, RFC 5717, RFC 7950 / RFC 8526). */
export const CAPABILITY = {
  base10: 'urn:ietf:params:netconf:base:1.0',
  base11: 'urn:ietf:params:netconf:base:1.1',
  writableRunning: 'urn:ietf:params:netconf:capability:writable-running:1.0',
  candidate: 'urn:ietf:params:netconf:capability:candidate:1.0',
  confirmedCommit10: 'urn:ietf:params:netconf:capability:confirmed-commit:1.0',
  confirmedCommit11: 'urn:ietf:params:netconf:capability:confirmed-commit:1.1',
  rollbackOnError: 'urn:ietf:params:netconf:capability:rollback-on-error:1.0',
  validate10: 'urn:ietf:params:netconf:capability:validate:1.0',
  validate11: 'urn:ietf:params:netconf:capability:validate:1.1',
  startup: 'urn:ietf:params:netconf:capability:startup:1.0',
  url: 'urn:ietf:params:netconf:capability:url:1.0',
  xpath: 'urn:ietf:params:netconf:capability:xpath:1.0',
  notification: 'urn:ietf:params:netconf:capability:notification:1.0',
  interleave: 'urn:ietf:params:netconf:capability:interleave:1.0',
  withDefaults: 'urn:ietf:params:netconf:capability:with-defaults:1.0',
  partialLock: 'urn:ietf:params:netconf:capability:partial-lock:1.0',
  /** RFC 7950 / RFC 7895: the modules are listed in the YANG library, not (all) in the hello. */
  yangLibrary10: 'urn:ietf:params:netconf:capability:yang-library:1.0',
  /** RFC 8526: YANG library 1.1 (RFC 8525), which an NMDA server advertises. */
  yangLibrary11: 'urn:ietf:params:netconf:capability:yang-library:1.1',
} as const;

/** RFC 8639's namespace: establish-subscription and the subscription state notifications. */
export const SUBSCRIBED_NOTIFICATIONS_NS = 'urn:ietf:params:xml:ns:yang:ietf-subscribed-notifications';
/** RFC 8641's namespace: YANG-Push datastore subscriptions, push-update and push-change-update. */
export const YANG_PUSH_NS = 'urn:ietf:params:xml:ns:yang:ietf-yang-push';
