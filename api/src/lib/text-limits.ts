/**
 * The longest text the API stores, as the contract states it (`maxLength`). Settings may lower
 * each limit (config.ts) but never raise it past these, so a request the server accepts is
 * always one the contract allows. Lengths are in characters as JavaScript counts them (UTF-16
 * code units: an emoji counts two), as zod and the contract's own validators do; cells in bytes
 * of UTF-8, what they weigh in memory and on disk.
 */
export const TEXT_CEILINGS = {
  /** Like a file name: enough for a title, short enough for lists of twenty. */
  datasetName: 200,
  /** A few paragraphs. */
  description: 5000,
  /** PostgreSQL's own identifiers stop at 63 bytes; 255 leaves room for real headers. */
  columnName: 255,
  columnLabel: 255,
  /**
   * 64 KiB: a paragraph of notes or a long URL fits; a file in a cell does not. A CSV reader
   * holds at most one such cell at once, and a row of 1,000 of them is 64 MiB.
   */
  cellBytes: 64 * 1024,
} as const;
