import { AudienceEtlError } from '../errors.js';
import { datax } from './datax.js';
import { google } from './google.js';
import { liveintent } from './liveintent.js';
import { meta } from './meta.js';
import { newtail } from './newtail.js';
import { DESTINATION_NAMES, type DestinationName, type DestinationPreset } from './types.js';

/** Every destination the product knows, by name. */
export const DESTINATIONS: Readonly<Record<DestinationName, DestinationPreset>> = {
  meta,
  google,
  datax,
  liveintent,
  newtail,
};

export function getDestination(name: string): DestinationPreset {
  const preset = (DESTINATIONS as Record<string, DestinationPreset | undefined>)[name];
  if (preset === undefined) {
    const known = Object.keys(DESTINATIONS).join(', ');
    throw new AudienceEtlError('UNKNOWN_DESTINATION', `unknown destination "${name}" (known: ${known})`);
  }
  return preset;
}

export { DESTINATION_NAMES, datax, google, liveintent, meta, newtail };
export type { DestinationName, DestinationPreset };
