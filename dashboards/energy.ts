import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { getIndicator } from '../services/indicators/index.js';
import type { DashboardConfig } from './config.js';
import { finish, newDashboard, siteVariable, tenantVariable } from './lib/dashboard.js';
import { flux, indicatorSeries, indicatorTable, readings } from './lib/flux.js';
import { byLabel, panel } from './lib/panels.js';

const ENERGY_KINDS = ['electricity_meter', 'heat_meter', 'solar'];
const MONTHLY = 'Computed by the indicator service from the stored meter readings per calendar month (Europe/Stockholm) and stored in measurement `indicators`; a late reading recomputes its month.';

/** Flux dictionary of peak-power limits, "tenant/site": kW. */
export function limitsDict(limits: Record<string, Record<string, number>>): string {
  const entries = Object.entries(limits).flatMap(([t, sites]) => Object.entries(sites).map(([s, kw]) => `"${t}/${s}": ${kw.toFixed(1)}`)).sort();
  return entries.length ? `[${entries.join(', ')}]` : '[:]';
}

/** Energy: buildings and the portfolio — power, monthly energy, kWh/m², weather-normalized, peaks, renewables, emissions. */
export function energyDashboard(c: DashboardConfig): dashboard.Dashboard {
  const series = (title: string, id: string, scope: 'sites' | 'total', unit: string, description: string, fields = ['_time', 'value', 'entity']) =>
    panel(new timeseries.PanelBuilder(), { title, description: `${description} ${MONTHLY}`, unit, query: flux(indicatorSeries({ ids: [id], kind: 'month', scope })), fields })
      .overrideByRegexp('.*', [scope === 'total' ? { id: 'displayName', value: `${getIndicator(id)!.name.en} (whole tenant)` } : byLabel('entity')])
      .drawStyle(common.GraphDrawStyle.Bars).fillOpacity(60);
  const d = newDashboard({
    uid: 'klimatpuls-energy',
    title: 'Klimatpuls · Energy',
    description: 'Energy per building and for the whole portfolio: live power, monthly energy use, kWh per m² Atemp, weather-normalized energy, peak power against its limit, renewable share and emissions.',
    tags: ['energy'],
    from: 'now-1y',
  })
    .withVariable(tenantVariable())
    .withVariable(siteVariable({ label: 'Building', kinds: ENERGY_KINDS }))
    .withRow(new dashboard.RowBuilder('Live'))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Electric power per building',
      description: 'Mean electric power (kW) per building: the meters of a building (site) added up, averaged over each interval of the graph. Spikes above a building\'s limit are what the peak-power alert and the grid tariff react to. Meters that report only their energy register (no power) are not in this graph.',
      unit: 'kwatt',
      query: flux(`${readings('r.kind == "electricity_meter" and r._field == "power"')}
  |> aggregateWindow(every: v.windowPeriod, fn: mean, createEmpty: false)
  |> group(columns: ["site"])
  |> aggregateWindow(every: v.windowPeriod, fn: sum, createEmpty: false)`),
      fields: ['_time', '_value', 'site'],
      w: 16,
    }).overrideByRegexp('.*', [byLabel('site')]))
    .withPanel(panel(new table.PanelBuilder(), {
      title: 'Peak power against the building\'s limit',
      description: 'The highest hourly mean electric power (kW) of each building in the time range, its limit and the peak as a share of the limit. Limits are the buildings\' subscribed power (abonnerad effekt) or peak-shaving targets from dashboards/peak-power-limits.json; buildings without one are not listed. Above 100 % the alert "Building peak power above its limit" fires.',
      unit: 'kwatt',
      query: flux(`${readings('r.kind == "electricity_meter" and r._field == "power"')}
  |> aggregateWindow(every: 1h, fn: mean, createEmpty: false)
  |> group(columns: ["tenant", "site", "_time"])
  |> sum()
  |> group(columns: ["tenant", "site"])
  |> max()
  |> map(fn: (r) => ({r with limit_kw: dict.get(dict: ${limitsDict(c.peakPowerLimits)}, key: r.tenant + "/" + r.site, default: 0.0)}))
  |> filter(fn: (r) => r.limit_kw > 0.0)
  |> map(fn: (r) => ({site: r.site, peak_hour_end: r._time, peak_kw: r._value, limit_kw: r.limit_kw, share_of_limit: 100.0 * r._value / r.limit_kw}))
  |> group()
  |> sort(columns: ["share_of_limit"], desc: true)`),
      fields: ['site', 'peak_hour_end', 'peak_kw', 'limit_kw', 'share_of_limit'],
      w: 8,
    }).overrideByName('share_of_limit', [{ id: 'unit', value: 'percent' }, { id: 'custom.cellOptions', value: { type: 'color-background' } }, { id: 'thresholds', value: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'yellow', value: 90 }, { color: 'red', value: 100 }] } }]))
    .withRow(new dashboard.RowBuilder('Monthly, per building'))
    .withPanel(series('Energy use per building and month', 'energy_use', 'sites', 'kwatth', 'Energy bought per building and month (kWh): electricity plus district heating, from the meters\' cumulative registers (a replaced meter counts from zero, never negative).'))
    .withPanel(series('Energy use per m² Atemp, per building and month', 'specific_energy', 'sites', 'suffix: kWh/m²', 'Energy use per square metre of heated area (Atemp from the device registry), per building and month: compares buildings of different size, and new buildings against the building code (BBR).'))
    .withPanel(series('Peak power per building and month', 'peak_power', 'sites', 'kwatt', 'The highest hourly mean electric power of each building in the month (kW): what grid tariffs charge for and what the contract wants shaved.'))
    .withPanel(panel(new table.PanelBuilder(), {
      title: 'Monthly energy indicators with coverage',
      description: `Every energy indicator per building (entity = site) and for the whole tenant (*), per month, with coverage (share of the expected readings that were there) and whether that is sufficient (at least 80 %): a value marked not sufficient is shown as "not enough data" in the follow-up report. ${MONTHLY}`,
      unit: 'none',
      query: flux(indicatorTable({ ids: ['energy_use', 'specific_energy', 'energy_weather_normalized', 'peak_power', 'renewable_share', 'emissions', 'degree_days'], kind: 'month', scope: 'sitesAndTotal' })),
      fields: ['_time', 'period', 'indicator', 'entity', 'value', 'unit', 'coverage', 'sufficient'],
    }).overrideByName('coverage', [{ id: 'unit', value: 'percentunit' }]))
    .withRow(new dashboard.RowBuilder('Monthly, whole portfolio'))
    .withPanel(panel(new timeseries.PanelBuilder(), {
      title: 'Energy use of the portfolio: measured and weather-normalized',
      description: `The tenant's energy use per month as measured (energy_use) and corrected for the weather with heating degree-days (energy_weather_normalized: heat × reference-year degree-days ÷ this month's degree-days), so a cold winter does not look like a failure. The contract's energy target follows the weather-normalized figure against its baseline year. ${MONTHLY}`,
      unit: 'kwatth',
      query: flux(`${indicatorSeries({ ids: ['energy_use', 'energy_weather_normalized'], kind: 'month', scope: 'total' }, 'indicator')}`),
      fields: ['_time', 'value', 'indicator'],
    }).overrideByRegexp('.*', [byLabel('indicator')]).drawStyle(common.GraphDrawStyle.Bars).fillOpacity(50))
    .withPanel(series('Renewable share of electricity use', 'renewable_share', 'total', 'percent', 'Locally produced renewable electricity (solar meters, exported energy) as a share of the electricity used, per month. Kalmar aims at 100 % (self-sufficient) by 2035.'))
    .withPanel(series('Emissions from energy use', 'emissions', 'total', 'suffix: t CO2e', 'Greenhouse-gas emissions of the metered energy use per month (tonnes CO2e), with each energy carrier\'s emission factor (the city\'s settings, default Swedish averages).'))
    .withPanel(series('Heating degree-days per month', 'degree_days', 'total', 'suffix: °C·d', 'Heating degree-days per month (base 17 °C) from the tenant\'s outdoor thermometers: the weather that the weather-normalized energy corrects for.'));
  return finish(d);
}
