import { AudienceEtlError } from '../errors.js';

/** What LiveIntent does with the hashes of a data file for one segment. */
export type LiveIntentAction = 'add' | 'remove';

/** One entry of the metadata's `segments` array, in the document's words. */
export interface LiveIntentSegment {
  /** Partner-defined segment id: "Must be integer values only" — digits, kept as a string. */
  id: string;
  /** Partner segment name, shown in the LiveIntent UI. */
  name: string;
  action: LiveIntentAction;
}

const SEGMENT_ID = /^\d+$/;

/**
 * Parses a `--segment id:name:action` value, e.g. `123:Recent Purchasers:add`.
 *
 * The id is everything before the first `:` and the action everything after the last one, so a
 * name may itself hold colons (`7:Q1: buyers:add` names `Q1: buyers`). Each part is trimmed and
 * the action is matched without regard to case. Throws `BAD_OPTION` on a non-integer id, an empty
 * name or an action other than add/remove, so a run fails before it writes anything.
 */
export function parseSegment(spec: string): LiveIntentSegment {
  const first = spec.indexOf(':');
  const last = spec.lastIndexOf(':');
  if (first < 0 || first === last) {
    throw new AudienceEtlError(
      'BAD_OPTION',
      `--segment "${spec}" must be id:name:action, e.g. 123:Recent Purchasers:add`,
    );
  }
  return validateSegment({
    id: spec.slice(0, first).trim(),
    name: spec.slice(first + 1, last).trim(),
    action: spec.slice(last + 1).trim().toLowerCase(),
  });
}

/**
 * Checks a segment given as an object (by a library caller, or after `parseSegment`) and returns
 * it in canonical form. The same rules as `parseSegment`, so both paths refuse the same inputs.
 */
export function validateSegment(segment: { id: unknown; name: unknown; action: unknown }): LiveIntentSegment {
  const id = typeof segment.id === 'number' && Number.isSafeInteger(segment.id) ? String(segment.id) : segment.id;
  if (typeof id !== 'string' || !SEGMENT_ID.test(id)) {
    // The id is partner data, not PII, so it may be named to help the user find the typo.
    throw new AudienceEtlError(
      'BAD_OPTION',
      `segment id ${JSON.stringify(String(id))} is not an integer: LiveIntent accepts digits only`,
    );
  }
  if (typeof segment.name !== 'string' || segment.name.trim() === '') {
    throw new AudienceEtlError('BAD_OPTION', `segment ${id} needs a name`);
  }
  if (segment.action !== 'add' && segment.action !== 'remove') {
    throw new AudienceEtlError(
      'BAD_OPTION',
      `segment ${id} has action ${JSON.stringify(String(segment.action))}: expected add or remove`,
    );
  }
  return { id, name: segment.name.trim(), action: segment.action };
}

/**
 * Checks the whole list a run sends: at least one segment (the document makes `segments`
 * required, and a file applied to no segment does nothing), and no id twice (adding and removing
 * the same segment in one file is contradictory, and the document gives no order between them).
 */
export function validateSegments(segments: readonly { id: unknown; name: unknown; action: unknown }[]): LiveIntentSegment[] {
  if (segments.length === 0) {
    throw new AudienceEtlError('BAD_OPTION', 'liveintent needs at least one --segment id:name:action');
  }
  const seen = new Set<string>();
  return segments.map((raw) => {
    const segment = validateSegment(raw);
    if (seen.has(segment.id)) {
      throw new AudienceEtlError('BAD_OPTION', `segment ${segment.id} is given more than once`);
    }
    seen.add(segment.id);
    return segment;
  });
}
