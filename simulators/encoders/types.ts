import type { Family, SimDevice } from '../city/devices.js';
import type { WireValue } from '../city/model.js';

export interface EncodeContext {
  /** When the device measured (what the pipeline must store). */
  observedAt: Date;
  /** The time the device's own clock claims (differs under the clock-skew fault). */
  deviceTime: Date;
  /** Per-device message counter (LoRaWAN f_cnt). */
  frameCounter: number;
  /** 0 for the original, 1 for a duplicate delivery (network formats vary their metadata). */
  copy: number;
}

/**
 * Turns what a device sends into the payload of one real format. Each encoder is
 * the mirror of the decoder with the same name (services/decoders/<name>).
 */
export interface Encoder {
  readonly name: string;
  /** Formats whose time comes from the device clock can carry a skewed clock. */
  readonly deviceClock: boolean;
  /** The device families the format can carry; `encode` throws for any other. */
  readonly families: readonly Family[];
  encode(device: SimDevice, values: WireValue[], ctx: EncodeContext): { topic: string; payload: Buffer };
  /** A payload the decoder must refuse (fault injection). */
  malformed(device: SimDevice, n: number): { topic: string; payload: Buffer };
}
