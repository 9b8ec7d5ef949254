import type { Indicator } from '../types.js';
import { aviationFossilFree } from './aviationFossilFree.js';
import { fleetFossilFree } from './fleetFossilFree.js';

export { aviationFossilFree, fleetFossilFree };

/** The transport indicators (fuels of the fleet and the airport), for registration in indicators/index.ts. */
export const transportIndicators: Indicator[] = [fleetFossilFree, aviationFossilFree];
