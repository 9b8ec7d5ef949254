import type { Indicator } from '../types.js';
import { bicycleShare } from './bicycleShare.js';
import { cycleFlow } from './cycleFlow.js';
import { cyclingIndex } from './cyclingIndex.js';
import { pedestrianFlow } from './pedestrianFlow.js';

export { bicycleShare, cycleFlow, cyclingIndex, pedestrianFlow };

/**
 * The mobility indicators, for registration in indicators/index.ts. cycling_index
 * computes cycle_flow through ctx.compute, so cycle_flow must be registered with it.
 */
export const mobilityIndicators: Indicator[] = [cycleFlow, pedestrianFlow, cyclingIndex, bicycleShare];
