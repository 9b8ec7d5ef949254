import { hex, type CodecResult, type CodecValue } from './codec.js';

/**
 * Milesight's uplink framing, shared by its LoRaWAN sensors: a sequence of
 * `channel id (1 byte) | channel type (1 byte) | data (fixed length per id/type)`.
 * Multi-byte integers are little-endian. Source: the payload definitions in the
 * vendor's decoder repository (github.com/Milesight-IoT/SensorDecoders, README.md and
 * *_Decoder.js of each model) and the models' user guides ("Uplink Packets").
 *
 * Each codec lists the (id, type) pairs it knows with their data length; a pair that is
 * not listed stops decoding with a rejection naming the byte offset — the data length
 * of an unknown pair is unknown, so nothing after it can be read safely.
 */
export interface TlvEntry {
  /** Data length in bytes (after the 2 header bytes). */
  length: number;
  /** What the entry is, for messages. */
  name: string;
  /** Values read from `data` (a view of exactly `length` bytes); none when omitted. */
  read?: (data: DataView, offset: number) => CodecValue[];
}

/**
 * Milesight's device-information channel 0xFF, sent after power-on / join (same ids on
 * all current Milesight sensors; EM500-UDL_Decoder.js): skipped, no values.
 */
export const MILESIGHT_DEVICE_INFO: ReadonlyArray<[number, number, TlvEntry]> = [
  [0xff, 0x01, { length: 1, name: 'IPSO version' }],
  [0xff, 0x09, { length: 2, name: 'hardware version' }],
  [0xff, 0x0a, { length: 2, name: 'firmware version' }],
  [0xff, 0xff, { length: 2, name: 'TSL version' }],
  [0xff, 0x16, { length: 8, name: 'serial number' }],
  [0xff, 0x0f, { length: 1, name: 'LoRaWAN class' }],
  [0xff, 0xfe, { length: 1, name: 'reset event' }],
  [0xff, 0x0b, { length: 1, name: 'device status' }],
];

export function tlvTable(entries: ReadonlyArray<[number, number, TlvEntry]>): ReadonlyMap<number, TlvEntry> {
  return new Map(entries.map(([id, type, e]) => [(id << 8) | type, e]));
}

export function decodeTlv(bytes: Uint8Array, table: ReadonlyMap<number, TlvEntry>): CodecResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: CodecValue[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (i + 2 > bytes.length) {
      return { ok: false, offset: i, message: `byte ${i}: channel ${hex(bytes[i]!)} has no type byte (payload ends)` };
    }
    const id = bytes[i]!;
    const type = bytes[i + 1]!;
    const entry = table.get((id << 8) | type);
    if (!entry) return { ok: false, offset: i, message: `byte ${i}: unknown channel ${hex(id)} type ${hex(type)}` };
    const start = i + 2;
    if (start + entry.length > bytes.length) {
      return {
        ok: false,
        offset: i,
        message: `byte ${i}: ${entry.name} (${hex(id)} ${hex(type)}) needs ${entry.length} bytes, ${bytes.length - start} left`,
      };
    }
    if (entry.read) values.push(...entry.read(new DataView(view.buffer, view.byteOffset + start, entry.length), start));
    i = start + entry.length;
  }
  return { ok: true, values };
}
