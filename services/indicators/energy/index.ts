import type { Indicator } from '../types.js';
import { degreeDays } from './degreeDays.js';
import { emissions } from './emissions.js';
import { energyUse } from './energyUse.js';
import { newBuildingsBelowCode } from './newBuildingsBelowCode.js';
import { peakPower } from './peakPower.js';
import { peakPowerTotal } from './peakPowerTotal.js';
import { primaryEnergy } from './primaryEnergy.js';
import { renewableShare } from './renewableShare.js';
import { specificEnergy } from './specificEnergy.js';
import { weatherNormalizedEnergy } from './weatherNormalizedEnergy.js';

export { degreeDays, emissions, energyUse, newBuildingsBelowCode, peakPower, peakPowerTotal, primaryEnergy, renewableShare, specificEnergy, weatherNormalizedEnergy };

/**
 * The energy indicators, for registration in indicators/index.ts. specific_energy,
 * energy_weather_normalized and emissions compute energy_use (and degree_days)
 * through ctx.compute, so those must be registered with them; likewise peak_power_total
 * (peak_power) and new_buildings_below_code (primary_energy_number).
 */
export const energyIndicators: Indicator[] = [energyUse, specificEnergy, degreeDays, weatherNormalizedEnergy, peakPower, peakPowerTotal, renewableShare, emissions, primaryEnergy, newBuildingsBelowCode];
