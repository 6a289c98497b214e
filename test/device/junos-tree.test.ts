import { describe, expect, it } from 'vitest';
import {
  ConfigSyntaxError, diff, fromJson, fromPatch, fromSet, fromText, fromXml, hostNameOf, merge, toJson, toSet, toText, toXml,
} from '../../src/device/junos-tree.js';

const text = (xml: string) => toText(fromXml(xml)).join('\n');

describe('the fake Junos configuration tree', () => {
  it('reads set commands: list keys, the list names the CLI leaves out, flags, quoted values', () => {
    const config = merge([], fromSet([
      'set system host-name lab1',
      'set system services ssh',
      'set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.1/24',
      'set interfaces interface lo0 description "loop back"',
      'set system login user alice class super-user',
      '# a comment',
      '',
    ].join('\n')));
    expect(toSet(config)).toEqual([
      'set system host-name lab1',
      'set system services ssh',
      'set system login user alice class super-user',
      'set interfaces interface ge-0/0/0 unit 0 family inet address 192.0.2.1/24',
      'set interfaces interface lo0 description "loop back"',
    ]);
    expect(toXml(config)).toContain('<interface>\n<name>lo0</name>\n<description>loop back</description>\n</interface>');
    expect(hostNameOf(config)).toBe('lab1');
  });

  it('a one-word leaf and a block of the same name are one statement (set commands cannot tell them apart)', () => {
    let config = merge([], fromSet('set system services ssh'));
    config = merge(config, fromSet('set system services netconf ssh'));
    expect(toText(config)).toEqual(['system {', '    services {', '        ssh;', '        netconf ssh;', '    }', '}']);
    config = merge(config, fromSet('delete system services ssh'));
    expect(toSet(config)).toEqual(['set system services netconf ssh']);
    config = merge(config, fromSet('delete system services'));
    expect(toSet(config)).toEqual(['set system']);
  });

  it('reads text with comments, quoted strings, leaf-lists and replace:/delete: marks', () => {
    const base = fromText('system {\n    /* managed */\n    host-name r1; # inline\n    name-server 192.0.2.53;\n    services { ssh; telnet; }\n    authentication-order [ radius password ];\n}');
    expect(toSet(base)).toEqual([
      'set system host-name r1', 'set system name-server 192.0.2.53', 'set system services ssh', 'set system services telnet',
      'set system authentication-order radius', 'set system authentication-order password',
    ]);
    const changed = merge(base, fromText('system { replace: services { netconf; } delete: name-server 192.0.2.53; authentication-order [ password ]; login { message "a; b"; } }'));
    expect(toText(changed).join('\n')).toBe(
      'system {\n    host-name r1;\n    services {\n        netconf;\n    }\n    authentication-order password;\n    login {\n        message "a; b";\n    }\n}',
    );
  });

  it('refuses what it cannot read, with a syntax error', () => {
    for (const bad of ['system { host-name r1;', 'system host-name r1; }', 'system { "ge-0/0/0" { mtu 1; } }', 'system { host-name "r1; }']) {
      expect(() => fromText(bad), bad).toThrow(ConfigSyntaxError);
    }
    expect(() => fromSet('show system')).toThrow(ConfigSyntaxError);
    expect(() => fromJson('{"configuration": ')).toThrow(ConfigSyntaxError);
  });

  it('reads XML marks (delete, replace, operation) and writes JSON as Junos does', () => {
    const base = fromXml('<system><host-name>r1</host-name><services><ssh/></services></system><interfaces><interface><name>ge-0/0/0</name><mtu>9000</mtu></interface></interfaces>');
    const changed = merge(base, fromXml('<system><host-name operation="delete"/><services replace="replace"><netconf><ssh/></netconf></services></system><interfaces><interface delete="delete"><name>ge-0/0/0</name></interface></interfaces>'));
    expect(JSON.parse(toJson(changed))).toEqual({ configuration: { system: { services: { netconf: { ssh: [null] } } }, interfaces: {} } });
    expect(toText(fromJson('{"configuration": {"system": {"host-name": "j1", "syslog": {"file": [{"name": "messages"}, {"name": "security"}]}}}}'))).toEqual([
      'system {', '    host-name j1;', '    syslog {', '        file messages;', '        file security;', '    }', '}',
    ]);
  });

  it('compares in Junos blocks, and reads its own comparison back as a patch', () => {
    const before = fromXml('<system><host-name>r1</host-name><services><ssh/></services></system>');
    const after = merge(before, fromSet('set system host-name r2\ndelete system services ssh\nset protocols lldp interface all'));
    const compared = diff(before, after);
    expect(compared).toBe([
      '[edit system]', '-   host-name r1;', '+   host-name r2;',
      '[edit system services]', '-   ssh;',
      '[edit]', '+   protocols {', '+       lldp {', '+           interface all;', '+       }', '+   }',
    ].join('\n'));
    expect(toXml(merge(before, fromPatch(compared)))).toBe(toXml(after));
    expect(diff(after, after)).toBe('');
    expect(text('<system><host-name>r1</host-name></system>')).toBe('system {\n    host-name r1;\n}');
  });
});
