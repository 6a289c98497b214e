import { EXIT_LINE } from './exit.js';

/** The options every command that talks to one device takes (CONNECTION_FLAGS). */
const CONNECTION = `Connection (the password comes from NETCONF_PASSWORD, never a flag):
  --host HOST                  the device, or a Host alias of ~/.ssh/config (required)
  --port PORT                  its NETCONF port (ssh_config's Port, else 830)
  -u, --username USER          the SSH user (ssh_config's User, else your login name)
  --key FILE                   a private key; its passphrase from NETCONF_PASSPHRASE
                               (without password or key: the ssh-agent in SSH_AUTH_SOCK)
  --known-hosts FILE           check the host key against FILE (default ~/.ssh/known_hosts)
  --host-key SHA256:...        accept this host key fingerprint (repeat for more)
  --insecure-accept-any-host-key   skip the host key check, jump hosts' too (labs only)
  --jump [USER@]HOST[:PORT]    go through this jump host (repeat, or comma-separate, in
                               order); it logs in with the agent, its ssh_config
                               IdentityFile, or NETCONF_JUMP_PASSWORD
  --ssh-config FILE            read FILE instead of ~/.ssh/config (HostName, User, Port,
                               IdentityFile, ProxyJump, UserKnownHostsFile, ...)
  --no-ssh-config              read no ssh_config
  --tls-cert FILE --tls-key FILE   NETCONF over TLS (RFC 7589; port 6513) with this client
                               certificate and key instead of SSH
  --tls-ca FILE                the CA the device's certificate must chain to (default:
                               Node's public roots)
  --insecure-accept-any-certificate   skip the device certificate check (labs only)
  --timeout SECONDS            how long to wait for each reply
  --json                       print one JSON document on stdout
`;

export const OVERVIEW = `usage: netconfkit <command> [options]

Commands:
  replay FILE|-      print the errors and warnings held in a captured reply or session
  rpc XML|-          send one RPC to a device and print its reply
  get-config         print a datastore (running by default), optionally filtered
  edit-config FILE   edit the candidate (or running) datastore with <edit-config>
  load FILE          load a change into the Junos candidate (load-configuration)
  commit             commit the candidate; --check to validate, --confirmed 5m to confirm later
  schemas            download a device's YANG modules into a directory (--output DIR)
  fleet OPERATION    run get-config, rpc or commit on every device of an inventory
  listen OPERATION   run get-config, rpc or commit on each device that dials in (Call Home)
  record COMMAND     run a command and record its session (--output FILE), secrets masked
  serve RECORDING    answer NETCONF clients on 127.0.0.1 from a recording
  fake               a fake NETCONF device on 127.0.0.1 (Junos, IOS-XE, NX-OS, Huawei… quirks included)
  demo               run the safe commit flow against a built-in fake Junos device
  help [COMMAND]     print this overview, or a command's options

Run \`netconfkit COMMAND --help\` for a command's options; \`netconfkit --version\` prints the version.
Any command takes --verbose (each event on stderr) and --trace (the wire log on stderr, secrets masked).
${EXIT_LINE}
`;

export const REPLAY_HELP = `usage: netconfkit replay FILE|- [--json | --ndjson] [--framing auto|none|eom|chunked]

Reads a captured reply or session (a bare reply, a ]]>]]> stream or a chunked stream) from FILE
or standard input (-), and prints every rpc-error, xnm:error and xnm:warning it holds.

Options:
  --json                 one JSON document: {"messages":[{"messageId","hasOk","errors","error"}],"error"}
  --ndjson               one JSON line per error or warning, printed as soon as it is read
  --framing MODE         auto (default), none, eom or chunked

Exit status: 0 no error-level item, 1 at least one (also when the capture is cut off or a message
cannot be read: that is said on stderr and, with --json, in the message's "error"), 2 bad usage,
or input that is not a capture and holds no error-level item.
`;

export const RPC_HELP = `usage: netconfkit rpc XML | - | --file FILE  --host HOST --username USER [options]

Sends one RPC (the operation element, without <rpc>) and prints the reply.

Options:
  -f, --file FILE        read the request from FILE (- for standard input)
${CONNECTION}
${EXIT_LINE}
`;

export const SCHEMAS_HELP = `usage: netconfkit schemas --output DIR --host HOST --username USER [options]

Downloads the device's YANG modules and submodules into DIR, one file each
(name@revision.yang), with <get-schema>. The list comes from the device's YANG library
(RFC 8525, else RFC 7895), else from its hello. A file DIR already holds is not downloaded
again, so a second run fetches only what changed; files appear whole, and two runs into the
same DIR at once download each module once between them. Prints each file downloaded, each
module that failed, and a summary line.

Options:
  -o, --output DIR       the directory (made if missing); required
                         (with --json: { ok, source, output, downloaded, present, failed })
${CONNECTION}
Exit status: 0 every module is in DIR, 1 the device refused at least one (the others are
there), 2 usage or caller error, 3 transport or protocol failure.
`;

export const GET_CONFIG_HELP = `usage: netconfkit get-config --host HOST --username USER [--source DATASTORE] [--filter XML|FILE] [--output FILE]

Prints a configuration datastore: the content of the reply's <data>, written as it is read,
so a configuration of any size goes through in constant memory.

Options:
  --source DATASTORE     running (default), candidate or startup
  --filter XML|FILE      a subtree filter, inline (starts with <) or in FILE
  -o, --output FILE      write the configuration to FILE instead of standard output
                         (with --json: a summary { ok, output, bytes, warnings }; without
                         --output, --json holds the whole configuration in memory)
${CONNECTION}
${EXIT_LINE}
`;

export const EDIT_CONFIG_HELP = `usage: netconfkit edit-config FILE|- --host HOST --username USER [options]

Sends FILE (or standard input) as the <config> of an <edit-config>.

Options:
  --target DATASTORE     candidate (default) or running
  --default-operation OP merge, replace or none
${CONNECTION}
${EXIT_LINE}
`;

export const LOAD_HELP = `usage: netconfkit load FILE|- --host HOST --username USER [options]

Loads a change into the candidate of a Junos device (<load-configuration>); commit it with
\`netconfkit commit\`.

Options:
  --format FORMAT        xml, text, set or json (default: from the extension of FILE:
                         .xml, .conf/.txt/.text, .set, .json; required with -)
  --action ACTION        merge, replace, override, update, set or patch
  --diff                 also print the candidate's difference from the running config
${CONNECTION}
${EXIT_LINE}
`;

export const COMMIT_HELP = `usage: netconfkit commit --host HOST --username USER [--check | --confirmed TIME] [--comment TEXT]

Commits the candidate: Junos <commit-configuration> when the device advertises Junos, else
RFC 6241 <commit>.

Options:
  --check                validate only, commit nothing (Junos commit check; RFC <validate>)
  --confirmed TIME       a confirmed commit: the device rolls it back after TIME unless it is
                         confirmed. TIME takes a unit: 5m, 300s, 1h (Junos counts whole minutes).
                         Confirm by running \`netconfkit commit\` again (on Junos, within TIME);
                         RFC devices need the --persist-id the first commit printed.
  --persist-id TOKEN     confirm the pending RFC confirmed commit made with that token
  --comment TEXT         a commit comment (Junos only)
${CONNECTION}
${EXIT_LINE}
`;

export const RECORD_HELP = `usage: netconfkit record --output FILE COMMAND [command options]

Runs COMMAND (rpc, get-config, edit-config, load or commit) and records its NETCONF session
in FILE: the device's hello, then each request with its reply and timing, as JSON Lines.
Secrets (Junos encrypted-password, $9$/$1$/$6$ values, secret, pre-shared-key,
authentication-key, SNMP communities, private keys) are masked before anything is written.
Play it back with \`netconfkit serve FILE\` or PlaybackDevice (netconfkit/testing).

Options (before COMMAND):
  -o, --output FILE      where the recording goes (created or truncated)

Example: netconfkit record --output s.jsonl commit [commit's connection options]
Exit status: COMMAND's.
`;

export const SERVE_HELP = `usage: netconfkit serve RECORDING [--port N] [--user U] [--timing]

Runs the playback device: an SSH NETCONF server on 127.0.0.1 that advertises the recorded
capabilities and answers each request with the recorded reply whose request matches it
(message-id, namespace prefixes, whitespace and attribute order set aside). A request with no
recording gets an rpc-error naming it. Runs until SIGINT or SIGTERM, then lists each request
that had no recorded reply and each recording never asked for. The password is
NETCONF_PASSWORD (default netconf); the host key is new each run unless --host-key names a file
(its fingerprint is printed).

Options:
  --port N               listen on port N (default: a free port, printed)
  -u, --user U           the SSH user (default netconf)
  --timing               answer after the recorded reply times
  --host-key FILE        the host's private key, kept across runs so known_hosts still holds
                         (created, ed25519 and 0600, when missing)

Exit status: 0 every request matched and every recording was used, 1 otherwise, 2 usage or a
file that is not a recording.
`;

export const FAKE_HELP = `usage: netconfkit fake [--personality NAME] [--port N] [--user U] [--host-key FILE]

Runs a fake NETCONF device (netconfkit/testing's FakeDevice): an SSH server on 127.0.0.1 with
the netconf subsystem, for clients in any language (ncclient, Ansible, a test harness). It
answers as the personality does, quirks included, until SIGINT or SIGTERM. It prints where it
listens, the user, the host key's fingerprint, an ssh command line and a known_hosts line.
The password is NETCONF_PASSWORD (default netconf).

Personalities:
  rfc                    FakeDevice's defaults: base 1.0 and 1.1, candidate, confirmed-commit,
                         real locks, <data/> for get and get-config (the default)
  iosxe                  Cisco IOS-XE 17.15: replies without message-id
  nxos                   Cisco NX-OS: <close-session> never answered, the channel closed
  huawei                 Huawei VRP: NUL bytes around every message
  ios                    older Cisco IOS, Vyatta: the writeable-running capability spelling
  junos                  the Junos profile: configuration, commits, rollback, facts' RPCs
  junos-rfc              the Junos profile with rfc-compliant set (nc: on every element)

Options:
  --personality NAME     one of the above
  --port N               listen on port N (default: a free port, printed)
  -u, --user U           the SSH user (default netconf)
  --host-key FILE        the host's private key, kept across runs so known_hosts still holds
                         (created, ed25519 and 0600, when missing)

Exit status: 0 after a signal, 2 usage or a host key file that cannot be read or used.
`;

export const LISTEN_HELP = `usage: netconfkit listen OPERATION [--port N] [--count N | --duration SECONDS] [options]

Waits for devices that dial in (RFC 8071 Call Home over SSH or TLS, Junos outbound-ssh), runs
one operation on each, and prints one result per device as \`netconfkit fleet\` does (a table,
or --json). Each device is verified as a direct connection would be; one that is refused
(host key, certificate, HMAC, login) is a failed result and the listener goes on.
"listening on HOST:PORT" and one line per finished device go to stderr.

Operations:
  get-config [--source DATASTORE] [--filter XML|FILE]
                         print a datastore: running (default), candidate or startup
  rpc XML | --file FILE  send the same RPC to every device
  commit CHANGE [--format xml|text|set|json] [--dry-run] [--comment TEXT]
                         the safe commit flow with CHANGE on every device

When to stop (then the listener closes, devices in progress finish, the results print):
  --count N              after N devices dialled in (refused ones count)
  --duration SECONDS     after this long
                         and on SIGINT or SIGTERM in any case (a second one ends at once)

Where:
  --host ADDRESS         the address to listen on (default: every interface)
  --port N               the port (4334 for SSH, 4335 with TLS, as RFC 8071; 0 picks one)

Devices over SSH (the password comes from NETCONF_PASSWORD, never a flag):
  -u, --username USER    the SSH user (default: your login name)
  --key FILE             a private key; its passphrase from NETCONF_PASSPHRASE
  --known-hosts FILE     check host keys against FILE under the address a device dials
                         from, or its Junos DEVICE-ID (default ~/.ssh/known_hosts)
  --host-key SHA256:...  accept this host key fingerprint from any device (repeat for more)
  --insecure-accept-any-host-key   skip the host key check (labs only)
  --outbound-ssh-secret-file FILE  Junos outbound-ssh: the secret configured on the devices;
                         each must then send its host key with a matching HMAC

Devices over TLS (RFC 7589):
  --tls-cert FILE --tls-key FILE   our client certificate and key
  --tls-ca FILE          the CA the devices' certificates must chain to
  --insecure-accept-any-certificate   skip the device certificate check (labs only)

Options:
  --concurrency N        devices worked on at once; later ones wait, connected (10)
  --timeout SECONDS      each device's budget: from its connection to its hello, then the
                         operation (60)
  --json                 every result as JSON, with its "callHome" (who dialled in)
  --ndjson               each result as one JSON line on stdout as soon as it is done
  -f, --file FILE        rpc: read the request from FILE
  --source, --filter     get-config, as above
  --format, --dry-run, --comment   commit, as above

A device is named by its Junos DEVICE-ID, its certificate's CN=, or its address and host key
fingerprint. Exit status: 0 all ok, 1 a device failed, 2 usage or caller error, 3 every
failure was a transport one, or no device dialled in.
`;

export const DEMO_HELP = `usage: netconfkit demo

Starts a fake Junos device on 127.0.0.1 (real SSH, real NETCONF framing) and runs the safe
commit flow against it twice: a change the device only warns about (committed), then one it
rejects (rolled back and unlocked). Needs no device and no options.
`;
