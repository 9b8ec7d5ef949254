import type { Indicator } from '../types.js';
import { dataGaps } from './dataGaps.js';
import { deadLetterShare } from './deadLetterShare.js';
import { deviceCoverage } from './deviceCoverage.js';

export { dataGaps, deadLetterShare, deviceCoverage };

/** The data-quality indicators, for registration in indicators/index.ts. */
export const qualityIndicators: Indicator[] = [deviceCoverage, dataGaps, deadLetterShare];
