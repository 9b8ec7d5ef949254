import type { Codec } from './codec.js';
import { MILESIGHT_DEVICE_INFO, decodeTlv, tlvTable } from './milesightTlv.js';

/**
 * Milesight EM500-UDL ultrasonic distance/level sensor (waste containers: the sensor
 * sits in the lid and measures the distance down to the waste surface).
 *
 * Source: Milesight-IoT/SensorDecoders, EM_Series/EM500_Series/EM500-UDL/README.md
 * ("Payload Definition") and EM500-UDL_Decoder.js; EM500-UDL user guide, "Uplink Packets".
 *
 * | id   | type | bytes | content                                         | value                  |
 * | ---- | ---- | ----- | ----------------------------------------------- | ---------------------- |
 * | 0x01 | 0x75 | 1     | battery, uint8, %                               | battery %              |
 * | 0x03 | 0x82 | 2     | distance, uint16 LE, mm                         | distance mm            |
 * | 0x20 | 0xCE | 6     | history: timestamp uint32 LE (Unix s) + distance uint16 LE mm | distance mm at that time (no frame counter) |
 * | 0x83 | 0xE9 | 5     | distance mutation alarm (distance, mutation, alarm type) | skipped: the vendor decoder divides by 10 and names no unit |
 * | 0xFF | …    | …     | device information (versions, serial, class ...) | skipped                |
 *
 * Vendor example (README): `01 75 64 03 82 1E 00` → battery 100 %, distance 30 mm.
 * The fPort is not checked (the device uses 85).
 */
export const milesightEm500Udl: Codec = {
  name: 'milesight-em500-udl',
  aliases: ['em500-udl', 'milesight-iot/em500-udl'],
  decode(bytes) {
    return decodeTlv(bytes, TABLE);
  },
};

const TABLE = tlvTable([
  ...MILESIGHT_DEVICE_INFO,
  [0x01, 0x75, { length: 1, name: 'battery', read: (d, offset) => [{ metric: 'battery', value: d.getUint8(0), unit: '%', offset }] }],
  [0x03, 0x82, { length: 2, name: 'distance', read: (d, offset) => [{ metric: 'distance', value: d.getUint16(0, true), unit: 'mm', offset }] }],
  [
    0x20,
    0xce,
    {
      length: 6,
      name: 'history record',
      read: (d, offset) => [
        {
          metric: 'distance',
          value: d.getUint16(4, true),
          unit: 'mm',
          offset: offset + 4,
          observedAt: new Date(d.getUint32(0, true) * 1000),
        },
      ],
    },
  ],
  [0x83, 0xe9, { length: 5, name: 'distance mutation alarm' }],
]);
