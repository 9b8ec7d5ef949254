/**
 * A month of hourly values in a rollup row: 8-byte IEEE doubles, little-endian,
 * base64 (NaN = no value). Exact, unlike decimal text rounded for size, and read
 * back without parsing 700+ numbers per meter: a city's month of peak_power inputs
 * is 25,000 such rows.
 */
export function packHours(values: ReadonlyArray<number | null>): string {
  const buf = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => buf.writeDoubleLE(v ?? Number.NaN, i * 8));
  return buf.toString('base64');
}

/** The values of packHours (NaN where there was none). */
export function unpackHours(text: string): Float64Array {
  const buf = Buffer.from(text, 'base64');
  const out = new Float64Array(buf.length / 8);
  for (let i = 0; i < out.length; i++) out[i] = buf.readDoubleLE(i * 8);
  return out;
}

/** Samples packed as t0 v0 t1 v1 … (DeviceBucket.raw): exact, and read without parsing text. */
export function packSamples(samples: ReadonlyArray<{ t: number; v: number }>): string {
  const buf = Buffer.alloc(samples.length * 16);
  samples.forEach((x, i) => {
    buf.writeDoubleLE(x.t, i * 16);
    buf.writeDoubleLE(x.v, i * 16 + 8);
  });
  return buf.toString('base64');
}

/** The samples of packSamples within [from, to). */
export function unpackSamples(text: string, from = -Infinity, to = Infinity): Array<{ t: number; v: number }> {
  const buf = Buffer.from(text, 'base64');
  const out: Array<{ t: number; v: number }> = [];
  for (let i = 0; i + 16 <= buf.length; i += 16) {
    const t = buf.readDoubleLE(i);
    if (t >= from && t < to) out.push({ t, v: buf.readDoubleLE(i + 8) });
  }
  return out;
}
