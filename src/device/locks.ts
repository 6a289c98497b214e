/** Datastore locks shared by every session of one device (RFC 6241 section 7.5). */
export class LockTable {
  private readonly holders = new Map<string, number>();

  /** The session holding `datastore`, or null. */
  holder(datastore: string): number | null {
    return this.holders.get(datastore) ?? null;
  }

  /** Takes the lock; returns the current holder instead when it is taken (even by `sessionId`). */
  lock(datastore: string, sessionId: number): { ok: true } | { ok: false; holder: number } {
    const holder = this.holders.get(datastore);
    if (holder !== undefined) return { ok: false, holder };
    this.holders.set(datastore, sessionId);
    return { ok: true };
  }

  /** Releases the lock if `sessionId` holds it. */
  unlock(datastore: string, sessionId: number): boolean {
    if (this.holders.get(datastore) !== sessionId) return false;
    this.holders.delete(datastore);
    return true;
  }

  /** A session that ends loses its locks. */
  releaseAll(sessionId: number): void {
    for (const [datastore, holder] of this.holders) if (holder === sessionId) this.holders.delete(datastore);
  }
}
