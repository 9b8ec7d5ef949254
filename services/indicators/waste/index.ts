import type { Indicator } from '../types.js';
import { emptyingsAtLowFill } from './emptyingsAtLowFill.js';
import { overflows } from './overflows.js';
import { timeToFull } from './timeToFull.js';
import { wastePerHousehold } from './wastePerHousehold.js';
import { wasteWeightPerHousehold } from './wasteWeightPerHousehold.js';

export { emptyingsAtLowFill, overflows, timeToFull, wastePerHousehold, wasteWeightPerHousehold };

/** The waste indicators, for registration in indicators/index.ts. */
export const wasteIndicators: Indicator[] = [wastePerHousehold, wasteWeightPerHousehold, emptyingsAtLowFill, overflows, timeToFull];
