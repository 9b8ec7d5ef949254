import type { Indicator } from '../types.js';
import { campaignSavings } from './campaignSavings.js';

export { campaignSavings };

/** Indicators from the measured effect of measures (MEASURES_FILE), for registration in indicators/index.ts. */
export const effectIndicators: Indicator[] = [campaignSavings];
