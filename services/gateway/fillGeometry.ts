import type { RejectedValue } from '../core/deadLetter.js';
import type { DecodedValue } from '../decoders/types.js';

/**
 * Distance (sensor → waste surface, mm) to fill level, from the container's
 * registry parameters:
 *   mount_height_mm   distance from the sensor to the empty container's bottom (required)
 *   full_distance_mm  distance when the container is full (default 0; sensors have a
 *                     blind zone, so installers often set ~150-250 mm)
 *   volume_l          container volume; when given, fill_volume (L) is derived too
 * fill % = (mount_height − distance) / (mount_height − full_distance) × 100.
 * A distance a little beyond the bottom (echo noise, up to 5 % of the height) reads
 * as 0 %; further beyond is implausible. Above 100 % (waste above the full mark)
 * is kept: it is what overflow looks like.
 */
export function distanceToFill(
  v: DecodedValue,
  params: Record<string, string | number | boolean>,
): { ok: true; values: DecodedValue[] } | ({ ok: false } & RejectedValue) {
  const mount = Number(params.mount_height_mm);
  const full = params.full_distance_mm === undefined ? 0 : Number(params.full_distance_mm);
  if (!Number.isFinite(mount) || mount <= 0 || !Number.isFinite(full) || full < 0 || full >= mount) {
    return { ok: false, reason: 'missing_device_params', field: 'device.params.mount_height_mm', message: 'a fill-level sensor needs mount_height_mm > full_distance_mm >= 0 in the registry' };
  }
  const mm = v.unit === undefined || v.unit === 'mm' ? v.value : v.unit === 'cm' ? v.value * 10 : v.unit === 'm' ? v.value * 1000 : Number.NaN;
  if (Number.isNaN(mm)) return { ok: false, reason: 'bad_unit', field: `${v.field}.unit`, message: `distance in ${JSON.stringify(v.unit)}: expected mm, cm or m` };
  if (mm < 0) return { ok: false, reason: 'implausible_value', field: `${v.field}.value`, message: 'a distance cannot be negative' };
  let fill = ((mount - mm) / (mount - full)) * 100;
  if (fill < -5) return { ok: false, reason: 'implausible_value', field: `${v.field}.value`, message: `distance ${mm} mm is beyond the container bottom (${mount} mm)` };
  fill = Math.max(0, Math.round(fill * 10) / 10);
  const out: DecodedValue[] = [{ ...v, metric: 'fill_level', value: fill, unit: '%' }];
  const volume = Number(params.volume_l);
  if (Number.isFinite(volume) && volume > 0) out.push({ ...v, metric: 'fill_volume', value: Math.round((fill / 100) * volume * 10) / 10, unit: 'L' });
  return { ok: true, values: out };
}
