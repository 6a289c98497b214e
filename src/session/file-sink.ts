import { closeSync, openSync, writevSync } from 'node:fs';
import { Writable } from 'node:stream';
import { ClientError } from '../errors/classes.js';

/** How much of the reply is held before one write: few system calls, little memory. */
const BATCH = 1 << 20;

/**
 * `streamTo` given a file path: the file is created (or truncated) when the call is made, and
 * the reply's data is written to it on the session's own thread, 1 MiB at a time with one
 * synchronous writev. On a machine whose cores are busy, a write handed to the thread pool
 * waits for a core while reading stays paused; written here, it is one short system call per
 * MiB and reading never waits. The pieces held are views of the transport's chunks, which are
 * not reused.
 */
export function openFileSink(path: string): Writable {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (err) {
    throw new ClientError('INVALID_ARGUMENT', `The streamTo file cannot be opened: ${(err as Error).message}`, { cause: err });
  }
  let held: Buffer[] = [];
  let size = 0;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    closeSync(fd);
  };
  const flush = () => {
    let pieces = held;
    let left = size;
    held = [];
    size = 0;
    while (left > 0) {
      const n = writevSync(fd, pieces);
      left -= n;
      // A short write (rare on a file): the rest, once more.
      if (left > 0) pieces = [Buffer.concat(pieces).subarray(n)];
    }
  };
  return new Writable({
    write(piece: Buffer, _encoding, done) {
      held.push(piece);
      size += piece.length;
      try {
        if (size >= BATCH) flush();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    // Closed here, not only on destroy: a file system may report a failed write only at close.
    final(done) {
      try {
        flush();
        close();
        done();
      } catch (err) {
        done(err as Error);
      }
    },
    destroy(err, done) {
      held = [];
      try {
        close();
      } catch (closeErr) {
        return done(err ?? (closeErr as Error));
      }
      done(err);
    },
  });
}
