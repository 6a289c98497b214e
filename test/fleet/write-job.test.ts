import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeDevice } from '../../src/device/index.js';
import { ClientError, CommitOutcomeUnknownError, NetconfError, editConfig } from '../../src/index.js';
import { runOnDevice } from '../../src/fleet/index.js';
import { type CommitResolution, type WriteJobState, type WriteTry, runWriteTry } from '../../src/fleet/write-job.js';
import { entry } from './support.js';

let device: FakeDevice;
beforeAll(async () => {
  device = await FakeDevice.start();
});
afterAll(async () => {
  await device.close();
});

const edits = () => device.requests.filter((r) => r.operation === 'edit-config').length;

/** A write try against the fake device, with its state in memory and every call to it logged. */
function writeTry(state: WriteJobState, overrides: Partial<WriteTry<CommitResolution>> = {}) {
  const log: string[] = [];
  const stored = { ...state };
  let lost: NetconfError | null = null;
  const controller = new AbortController();
  const t: WriteTry<CommitResolution> = {
    lock: {
      token: 7,
      signal: controller.signal,
      check: async () => {
        log.push('check');
        if (lost) throw lost;
      },
    },
    attempt: 1,
    budget: 3,
    name: 'job 1',
    load: async () => ({ ...stored }),
    save: async (next) => {
      log.push(`save ${JSON.stringify(next)}`);
      for (const key of Object.keys(stored) as (keyof WriteJobState)[]) delete stored[key];
      Object.assign(stored, next);
    },
    newCommitId: () => 'nck-new',
    resolve: async (_session, commitId, { after }) => {
      log.push(`resolve ${commitId} after ${after}`);
      return { outcome: 'not-committed', commitId };
    },
    run: (operate, stop) => runOnDevice(entry('r1', device), operate, { retry: { attempts: 1 }, signal: stop }),
    operate: async (session, { commitId, fencingToken }) => {
      log.push(`operate ${commitId} ${fencingToken}`);
      await editConfig(session, 'candidate', '<top xmlns="urn:test"/>');
      return 'done';
    },
    ...overrides,
  };
  return { t, log, stored, loseLock: (error: NetconfError) => (lost = error) };
}

describe('runWriteTry', () => {
  it('a first try: a fresh commit id, marked pending before the operation runs, handed to it with the fencing token', async () => {
    const { t, log, stored } = writeTry({});
    const outcome = await runWriteTry(t);
    expect(outcome).toMatchObject({ commitId: 'nck-new', recovered: null, retry: false, result: { ok: true, value: 'done' } });
    expect(log.slice(0, 2)).toEqual(['save {"commitId":"nck-new","commitPending":true}', 'operate nck-new 7']);
    expect(log).toContain('check');
    expect(stored).toEqual({ commitId: 'nck-new', commitPending: true });
  });

  it("a caller's commit id is kept", async () => {
    const { t } = writeTry({ commitId: 'mine-1' });
    expect((await runWriteTry(t)).commitId).toBe('mine-1');
  });

  it('a try that may have committed is asked about first: committed, and nothing runs again', async () => {
    const before = edits();
    const { t, log } = writeTry({ commitId: 'nck-old', commitPending: true, commitStep: 'commit' }, {
      resolve: async (_s, commitId, { after }) => {
        log.push(`resolve ${commitId} after ${after}`);
        return { outcome: 'committed', commitId };
      },
    });
    const outcome = await runWriteTry(t);
    expect(outcome).toMatchObject({ commitId: 'nck-old', recovered: { outcome: 'committed', commitId: 'nck-old' }, retry: false, result: { ok: true } });
    expect(log).toEqual(['resolve nck-old after commit']);
    expect(edits()).toBe(before);
  });

  it('not committed: the operation runs again, with the same commit id', async () => {
    const { t, log, stored } = writeTry({ commitId: 'nck-old', commitPending: true, commitStep: 'commit' });
    const outcome = await runWriteTry(t);
    expect(outcome).toMatchObject({ commitId: 'nck-old', recovered: null, result: { ok: true, value: 'done' } });
    expect(log.slice(0, 3)).toEqual(['resolve nck-old after commit', 'save {"commitId":"nck-old","commitPending":true}', 'operate nck-old 7']);
    expect(stored).toEqual({ commitId: 'nck-old', commitPending: true });
  });

  it('a try that got to "confirm", or never said how far it got, is asked about as one whose confirmation may have been sent', async () => {
    for (const commitStep of ['confirm', undefined]) {
      const { t, log } = writeTry({ commitId: 'nck-old', commitPending: true, ...(commitStep ? { commitStep } : {}) });
      await runWriteTry(t);
      expect(log[0]).toBe('resolve nck-old after confirm');
    }
  });

  it("the flow's step is saved before the write it belongs to is sent", async () => {
    const editsAtSave: Record<string, number> = {};
    let editsBefore = 0;
    const { t, stored } = writeTry({}, {
      operate: async (session, { onStep }) => {
        editsBefore = edits();
        onStep({ step: 'load', status: 'start' });
        await editConfig(session, 'candidate', '<top xmlns="urn:test"/>');
        onStep({ step: 'load', status: 'done' });
        onStep({ step: 'commit', status: 'start' });
        await editConfig(session, 'candidate', '<top xmlns="urn:test"/>');
        return null;
      },
    });
    const save = t.save;
    t.save = async (next) => {
      if (next.commitStep) editsAtSave[next.commitStep] = edits();
      await save(next);
    };
    await runWriteTry(t);
    expect(editsAtSave).toEqual({ load: editsBefore, commit: editsBefore + 1 });
    expect(stored).toEqual({ commitId: 'nck-new', commitPending: true, commitStep: 'commit' });
  });

  it('a failure before the commit leaves nothing to resolve; a retryable one is retried', async () => {
    const { t, stored } = writeTry({}, {
      operate: async () => {
        throw new NetconfError('LOCK_DENIED', 'the candidate is locked', { step: 'lock' });
      },
    });
    const outcome = await runWriteTry(t);
    expect(outcome).toMatchObject({ retry: true, result: { ok: false, error_code: 'LOCK_DENIED' } });
    expect(stored).toEqual({ commitId: 'nck-new', commitPending: false });
  });

  it('a commit cut off in flight stays pending and is retried, the next try asking first; on the last try it is not', async () => {
    const cut = () => {
      throw new CommitOutcomeUnknownError('the reply never came', { step: 'commit' });
    };
    const first = writeTry({}, { operate: async () => cut() });
    expect(await runWriteTry(first.t)).toMatchObject({ retry: true, result: { ok: false, error_code: 'COMMIT_OUTCOME_UNKNOWN' } });
    expect(first.stored).toEqual({ commitId: 'nck-new', commitPending: true });
    const last = writeTry({}, { operate: async () => cut(), attempt: 3 });
    expect(await runWriteTry(last.t)).toMatchObject({ retry: false, result: { ok: false, error_code: 'COMMIT_OUTCOME_UNKNOWN' } });
  });

  it('a device that cannot tell: COMMIT_OUTCOME_UNKNOWN, not retried, still pending', async () => {
    const { t, stored } = writeTry({ commitId: 'nck-old', commitPending: true, commitStep: 'commit' }, {
      resolve: async (_s, commitId) => {
        throw new CommitOutcomeUnknownError(`The device cannot tell whether commit ${commitId} was applied`);
      },
    });
    expect(await runWriteTry(t)).toMatchObject({ retry: false, result: { ok: false, error_code: 'COMMIT_OUTCOME_UNKNOWN' } });
    expect(stored).toMatchObject({ commitPending: true });
  });

  it('a failure while asking (the old session still holds the lock) settles nothing: still pending, retried', async () => {
    const { t, stored } = writeTry({ commitId: 'nck-old', commitPending: true, commitStep: 'commit' }, {
      resolve: async () => {
        throw new NetconfError('LOCK_DENIED', 'the candidate is locked by session 3', { step: 'lock' });
      },
    });
    expect(await runWriteTry(t)).toMatchObject({ retry: true, result: { ok: false, error_code: 'LOCK_DENIED' } });
    expect(stored).toEqual({ commitId: 'nck-old', commitPending: true, commitStep: 'commit' });
  });

  it('a lost lock: the write is not sent', async () => {
    const { t, loseLock } = writeTry({});
    loseLock(new ClientError('DEVICE_LOCK_LOST', 'taken over'));
    const before = edits();
    expect(await runWriteTry(t)).toMatchObject({ retry: true, result: { ok: false, error_code: 'DEVICE_LOCK_LOST' } });
    expect(edits()).toBe(before);
  });

  it('no try left after a cut-off one: resolved all the same, never run again', async () => {
    await expect(runWriteTry(writeTry({ commitId: 'x', commitPending: false }, { attempt: 4, budget: 3 }).t)).rejects.toMatchObject({ code: 'UNKNOWN' });
    const committed = writeTry({ commitId: 'x', commitPending: true, commitStep: 'commit' }, {
      attempt: 4,
      budget: 3,
      resolve: async (_s, commitId) => ({ outcome: 'committed', commitId }),
    });
    expect(await runWriteTry(committed.t)).toMatchObject({ recovered: { outcome: 'committed' }, result: { ok: true } });
    const notCommitted = writeTry({ commitId: 'x', commitPending: true, commitStep: 'commit' }, { attempt: 4, budget: 3 });
    expect(await runWriteTry(notCommitted.t)).toMatchObject({ retry: false, result: { ok: false, error_code: 'COMMIT_NOT_APPLIED', error_retryable: true } });
    expect(notCommitted.stored).toMatchObject({ commitPending: false });
    expect(notCommitted.log).not.toContain('operate x 7');
  });
});
