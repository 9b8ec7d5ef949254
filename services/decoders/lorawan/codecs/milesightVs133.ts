import { lineChannel } from '../decodedValues.js';
import type { Codec } from './codec.js';
import { MILESIGHT_DEVICE_INFO, decodeTlv, tlvTable, type TlvEntry } from './milesightTlv.js';

/**
 * Milesight VS133 AI ToF people counter (line crossing, up to 4 lines; used for
 * pedestrian and bike passages).
 *
 * Source: Milesight-IoT/SensorDecoders, VS_Series/VS133/README.md ("Payload
 * Definition") and VS133_Decoder.js; VS133 user guide, "Uplink Packets".
 *
 * | id (line 1/2/3/4)      | type | bytes | content                                      | value |
 * | ---------------------- | ---- | ----- | -------------------------------------------- | ----- |
 * | 0x05 / 0x08 / 0x0B / 0x0E | 0xCC | 4  | period in uint16 LE + period out uint16 LE   | `count`, channels `in`/`out` (line 1), `lineN_in`/`lineN_out` (line N > 1) |
 * | 0x03 / 0x06 / 0x09 / 0x0C | 0xD2 | 4  | total in, uint32 LE (since the last reset)   | skipped: cumulative, `count` is per interval |
 * | 0x04 / 0x07 / 0x0A / 0x0D | 0xD2 | 4  | total out, uint32 LE                         | skipped |
 * | 0x0F                   | 0xE3 | 4     | region 1..4 occupancy, uint8 each            | skipped (occupancy, not passages) |
 * | 0x10                   | 0xE4 | 5     | region, avg dwell uint16, max dwell uint16   | skipped |
 * | 0xFF                   | …    | …     | device information                           | skipped |
 *
 * Vendor example (README): `05 CC 00 00 00 00  08 CC 00 00 00 00  0B CC 00 00 00 00
 * 0E CC 05 00 07 00` → line 1–3: 0 in / 0 out, line 4: 5 in / 7 out. Zero counts are
 * values (no one passed), not absent ones. Period counts are for the reporting interval
 * that ends with the uplink. The fPort is not checked (the device uses 85).
 */
export const milesightVs133: Codec = {
  name: 'milesight-vs133',
  aliases: ['vs133', 'milesight-iot/vs133'],
  decode(bytes) {
    return decodeTlv(bytes, TABLE);
  },
};

const entries: Array<[number, number, TlvEntry]> = [...MILESIGHT_DEVICE_INFO];
for (let line = 1; line <= 4; line++) {
  const base = 0x03 + 3 * (line - 1);
  entries.push([base, 0xd2, { length: 4, name: `line ${line} total in` }]);
  entries.push([base + 1, 0xd2, { length: 4, name: `line ${line} total out` }]);
  entries.push([
    base + 2,
    0xcc,
    {
      length: 4,
      name: `line ${line} period counts`,
      read: (d, offset) => [
        { metric: 'count', value: d.getUint16(0, true), unit: 'count', channel: lineChannel(line, 'in'), offset },
        { metric: 'count', value: d.getUint16(2, true), unit: 'count', channel: lineChannel(line, 'out'), offset: offset + 2 },
      ],
    },
  ]);
}
entries.push([0x0f, 0xe3, { length: 4, name: 'region counts' }]);
entries.push([0x10, 0xe4, { length: 5, name: 'region dwell time' }]);

const TABLE = tlvTable(entries);
