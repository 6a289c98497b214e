/** One way of finding the error items of NETCONF messages, measured against the others. */
export interface Method {
  /** Stable key (results.json). */
  id: string;
  /** How the table names it. */
  label: string;
  /**
   * Finds the items of every message (each a whole document) and returns how many. The
   * floor method finds no items and returns null.
   */
  count(messages: readonly Buffer[]): number | null;
  /** Largest message it is run on, and why (a bigger workload is listed as skipped). */
  limit?: { bytes: number; why: string };
}
