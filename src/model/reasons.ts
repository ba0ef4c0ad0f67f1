/** Why a row was rejected: the closed set of codes written to `rejects.ndjson` and the report. */
export const REJECT_REASONS = [
  /** No key the destination matches on survived validation. */
  'no_match_key',
  /** A key the destination requires (PXID, CUSTOMER_ID…) is empty or invalid. */
  'missing_required_key',
  /** The record has more or fewer fields than the header. */
  'field_count_mismatch',
  /** A JSON element that is not an object of scalar values. */
  'not_an_object',
  /** The same delta-mode customer appears again in one run (newtail). */
  'duplicate_customer',
  /** The destination needs a column the row cannot give (e.g. a PXID with a comma). */
  'invalid_required_key',
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];
