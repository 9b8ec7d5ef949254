import type { Indicator } from '../types.js';
import { degreeDays } from './degreeDays.js';
import { emissions } from './emissions.js';
import { energyUse } from './energyUse.js';
import { peakPower } from './peakPower.js';
import { renewableShare } from './renewableShare.js';
import { specificEnergy } from './specificEnergy.js';
import { weatherNormalizedEnergy } from './weatherNormalizedEnergy.js';

export { degreeDays, emissions, energyUse, peakPower, renewableShare, specificEnergy, weatherNormalizedEnergy };

/**
 * The energy indicators, for registration in indicators/index.ts. specific_energy,
 * energy_weather_normalized and emissions compute energy_use (and degree_days)
 * through ctx.compute, so those must be registered with them.
 */
export const energyIndicators: Indicator[] = [energyUse, specificEnergy, degreeDays, weatherNormalizedEnergy, peakPower, renewableShare, emissions];
