import { indicators } from '../../../services/indicators/index.js';
import type { Indicator } from '../../../services/indicators/types.js';
import { energyUse } from './energy/energyUse.js';
import { peakPower } from './energy/peakPower.js';
import { renewableShare } from './energy/renewableShare.js';
import { dataGaps } from './quality/dataGaps.js';
import { deviceCoverage } from './quality/deviceCoverage.js';
import { emptyingsAtLowFill } from './waste/emptyingsAtLowFill.js';
import { overflows } from './waste/overflows.js';
import { timeToFull } from './waste/timeToFull.js';
import { wastePerHousehold } from './waste/wastePerHousehold.js';

/**
 * The indicators as the engine computed them before rollups: every raw sample of
 * a period (with margins) loaded into Node. The indicators whose loading changed
 * (energy registers and peaks, data quality, waste) are the copies in this
 * folder; the rest are the live ones (they read the same raw series as before,
 * or combine other indicators through ctx.compute, which then reach these copies).
 */
const replaced: Indicator[] = [energyUse, peakPower, renewableShare, dataGaps, deviceCoverage, wastePerHousehold, emptyingsAtLowFill, overflows, timeToFull];

export const rawIndicators: Readonly<Record<string, Indicator>> = Object.freeze({
  ...indicators,
  ...Object.fromEntries(replaced.map((i) => [i.id, i])),
});
