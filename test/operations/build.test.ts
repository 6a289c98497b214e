import { describe, expect, it } from 'vitest';
import { startJunosDevice } from '../../src/device/index.js';
import { ClientError } from '../../src/errors/index.js';
import { getConfiguration, loadConfiguration } from '../../src/operations/index.js';
import { addContent, request, serialise } from '../../src/operations/build.js';
import { deviceHarness } from '../support/devices.js';
import { rejection } from '../support/assertions.js';

const thrown = (f: () => void): Error | null => {
  try {
    f();
    return null;
  } catch (err) {
    return err as Error;
  }
};

describe('addContent checks caller XML text before it goes into a request', () => {
  it('imports a well-formed fragment as it is', () => {
    const op = request('edit-config');
    addContent(op.ele('config'), '<!-- c --><a xmlns="urn:a" x=\'1\'>&#65;<![CDATA[<b>]]></a>\n<p:b xmlns:p="urn:p"/>');
    expect(serialise(op)).toBe('<edit-config><config><!-- c --><a xmlns="urn:a" x="1">A<![CDATA[<b>]]></a><p:b xmlns:p="urn:p"/></config></edit-config>');
  });

  it('names the content after the element it goes under, or as the caller says', () => {
    const under = (name: string, what?: string) => thrown(() => addContent(request('op').ele(name), '<a>&nbsp;</a>', what));
    expect(under('filter')?.message).toMatch(/^The filter is not well-formed XML: the entity &nbsp; is not defined .*\(line 1, column 4\)$/);
    expect(under('config')?.message).toMatch(/^The config is not well-formed XML: /);
    expect(under('configuration', 'The filter')?.message).toMatch(/^The filter is not well-formed XML: /);
    expect(under('config')).toBeInstanceOf(ClientError);
    expect(under('config')).toMatchObject({ code: 'INVALID_ARGUMENT', category: 'client' });
  });

  it('refuses what xmlbuilder2 would otherwise fail on with a plain Error (an undeclared prefix, "--" in a comment)', () => {
    for (const xml of ['<nc:a/>', '<a><!-- x -- y --></a>']) {
      expect(thrown(() => addContent(request('op').ele('config'), xml))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });
});

describe('Junos operations say which of their inputs is bad', () => {
  const attach = deviceHarness();

  it('get-configuration: "The filter"; load-configuration: "The config"; nothing is sent', async () => {
    const { device, session } = await attach(await startJunosDevice({}));
    const sent = device.requests.length;
    expect((await rejection(getConfiguration(session, { filter: '<system><host-name></system>' }))).message).toMatch(/^The filter is not well-formed XML: the end tag <\/system>/);
    expect((await rejection(loadConfiguration(session, '<system><host-name>r1</host-name></sytem>'))).message).toMatch(/^The config is not well-formed XML: the end tag <\/sytem>/);
    expect(device.requests.length).toBe(sent);
  });
});
