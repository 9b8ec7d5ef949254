/**
 * Pipeline health, from what every service writes to InfluxDB itself every
 * TELEMETRY_INTERVAL_MS (services/core/telemetryToInflux.ts): measurement
 * `pipeline` (tags service, host; counters are totals since the process
 * started, so rates come from derivative()/difference() with nonNegative, which
 * also absorbs restarts) and `pipeline_dead_letters` (tags service, reason).
 */
export const pipeline = (filter: string) => `from(bucket: v.defaultBucket)
  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "pipeline" and ${filter})`;
export const deadLetters = `from(bucket: v.defaultBucket)
  |> range(start: v.timeRangeStart, stop: v.timeRangeStop)
  |> filter(fn: (r) => r._measurement == "pipeline_dead_letters" and r._field == "count")`;
const SECONDS = 'float(v: int(v: v.timeRangeStop) - int(v: v.timeRangeStart)) / 1000000000.0';

/** Dead letters as a share (%) of the MQTT messages received: per interval for the dashboard, over the whole window for the alert. */
export function deadLetterShare(mode: 'dashboard' | 'alert'): string {
  const per = mode === 'dashboard' ? '|> aggregateWindow(every: v.windowPeriod, fn: sum, createEmpty: false)' : '|> sum()\n  |> map(fn: (r) => ({r with _time: v.timeRangeStop}))';
  return `dead = ${deadLetters.replace(/\n/g, '\n  ')}
  |> difference(nonNegative: true)
  |> group()
  ${per}
  |> set(key: "_field", value: "dead")
received = ${pipeline('r._field == "messages_received"').replace(/\n/g, '\n  ')}
  |> difference(nonNegative: true)
  |> group()
  ${per}
  |> set(key: "_field", value: "received")
union(tables: [dead, received])
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> filter(fn: (r) => exists r.received)
  |> map(fn: (r) => ({_time: r._time, _value: if r.received > 0.0 then 100.0 * (if exists r.dead then r.dead else 0.0) / r.received else 0.0}))`;
}

/**
 * How long the writer needs to catch up: its consumer lag (messages) divided by
 * its write rate (messages/s); 86400 (a day) when it has lag and writes nothing.
 * The services report lag in messages only, hence the estimate.
 */
export function lagSeconds(mode: 'dashboard' | 'alert'): string {
  const rate = mode === 'dashboard'
    ? '|> derivative(unit: 1s, nonNegative: true)\n  |> aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)'
    : `|> increase()\n  |> last()\n  |> map(fn: (r) => ({r with _value: r._value / (${SECONDS}), _time: v.timeRangeStop}))`;
  const lag = mode === 'dashboard' ? '|> aggregateWindow(every: v.windowPeriod, fn: max, createEmpty: false)' : '|> last()\n  |> map(fn: (r) => ({r with _time: v.timeRangeStop}))';
  return `rate = ${pipeline('r.service == "writer" and r._field == "readings_written"').replace(/\n/g, '\n  ')}
  ${rate}
  |> group(columns: ["host"])
  |> set(key: "_field", value: "rate")
lag = ${pipeline('r.service == "writer" and r._field == "consumer_lag"').replace(/\n/g, '\n  ')}
  ${lag}
  |> group(columns: ["host"])
  |> set(key: "_field", value: "lag")
union(tables: [rate, lag])
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> filter(fn: (r) => exists r.lag)
  |> map(fn: (r) => ({_time: r._time, host: r.host, _value: if r.lag <= 0.0 then 0.0 else if exists r.rate and r.rate > 0.0 then math.mMin(x: r.lag / r.rate, y: 86400.0) else 86400.0}))`;
}

/** Errors per interval of one service, by kind, with an explicit 0 ("all kinds") whenever the service reported at all. */
export function errors(service: string, clock: string, fieldRegex: string, prefix: string): string {
  return `${pipeline(`r.service == "${service}" and (r._field == "${clock}" or r._field =~ /${fieldRegex}/)`)}
  |> difference(nonNegative: true)
  |> map(fn: (r) => ({_time: r._time, host: r.host, kind: if r._field == "${clock}" then "" else strings.trimPrefix(v: r._field, prefix: "${prefix}"), _value: if r._field == "${clock}" then 0.0 else r._value}))
  |> map(fn: (r) => ({r with kind: if r.kind == "" then "all kinds" else r.kind}))
  |> group(columns: ["kind"])
  |> sort(columns: ["_time"])
  |> aggregateWindow(every: v.windowPeriod, fn: sum, createEmpty: false)`;
}
