import { effectIndicators } from './effect/index.js';
import { energyIndicators } from './energy/index.js';
import { mobilityIndicators } from './mobility/index.js';
import { qualityIndicators } from './quality/index.js';
import { transportIndicators } from './transport/index.js';
import { wasteIndicators } from './waste/index.js';
import type { Indicator } from './types.js';

/** Every indicator, by id. Adding one = one file + one line here (or in its family's index). */
const all: Indicator[] = [...energyIndicators, ...mobilityIndicators, ...wasteIndicators, ...transportIndicators, ...effectIndicators, ...qualityIndicators];

export const indicators: Readonly<Record<string, Indicator>> = Object.freeze(Object.fromEntries(all.map((i) => [i.id, i])));

export function getIndicator(id: string): Indicator | undefined {
  return Object.prototype.hasOwnProperty.call(indicators, id) ? indicators[id] : undefined;
}
