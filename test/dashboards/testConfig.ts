import { defaultConfig, type DashboardConfig } from '../../dashboards/config.js';
import { getIndicator } from '../../services/indicators/index.js';
import type { Period } from '../../services/indicators/periods.js';
import { cityTargetsSchema, type CityTargets } from '../../services/indicators/targets/targets.js';
import type { IndicatorValue } from '../../services/indicators/types.js';

/**
 * The dashboards as the query test generates them: the committed configuration
 * plus targets and peak-power limits for the test's tenants (the committed
 * files know only kalmar and malmo), so that every panel has data to show.
 */
const text = (s: string) => ({ sv: s, en: s });
const target = (id: string, indicator: string, rest: Record<string, unknown>) => ({ id, indicator, name: text(`${id} (${indicator})`), source: 'test', ...rest });

/** Targets on the replayed CI scenario: trajectories from a baseline value, and targets without a baseline. */
export function scenarioCity(tenant: string): CityTargets {
  return cityTargetsSchema.parse({
    city: 'testby', tenant, name: text('Testby'), contract: 'test contract',
    targets: [
      target('energy-month', 'energy_use', { baselineYear: 2024, baselineValue: 100000, targetYear: 2030, change: -0.1, periodKind: 'month' }),
      target('bikes-quarter', 'bicycle_share', { baselineYear: 2022, baselineValue: 40, targetYear: 2030, targetValue: 60 }),
      target('peak-building-0', 'peak_power', { entity: 'building-0', baselineYear: 2024, targetYear: 2027, change: -0.2, periodKind: 'month' }),
      target('waste-month', 'waste_per_household', { baselineYear: 2025, targetYear: 2030, change: -0.3, periodKind: 'month' }),
    ],
  });
}

/** A tenant with hand-made stored values, one target per status (on track, behind, off track, not enough data). */
export function statusCity(tenant: string): CityTargets {
  return cityTargetsSchema.parse({
    city: 'statusby', tenant, name: text('Statusby'), contract: 'test contract',
    targets: [
      target('energy-behind', 'energy_use', { baselineYear: 2024, targetYear: 2026, change: -0.1 }),
      target('bikes-on-track', 'bicycle_share', { baselineYear: 2022, baselineValue: 40, targetYear: 2025, targetValue: 45 }),
      target('waste-off-track', 'waste_per_household', { baselineYear: 2024, targetYear: 2026, change: -0.3 }),
      target('peak-no-data', 'peak_power', { entity: 'building-9', baselineYear: 2024, targetYear: 2027, change: -0.2 }),
    ],
  });
}

export const STATUS_EXPECTED: Record<string, string> = { 'energy-behind': 'behind', 'bikes-on-track': 'on_track', 'waste-off-track': 'off_track', 'peak-no-data': 'not_enough_data' };

/** The stored values behind statusCity (quarters 2024Q1 and 2025Q1). */
export function statusValues(tenant: string): IndicatorValue[] {
  const v = (indicator: string, period: string, value: number, sufficient = true, entity = '*', unit = ''): IndicatorValue =>
    ({ indicator, period, periodKind: 'quarter', tenant, entity, value, unit, coverage: sufficient ? 1 : 0.2, sufficient });
  return [
    v('energy_use', '2024Q1', 1000, true, '*', 'kWh'), v('energy_use', '2025Q1', 990, true, '*', 'kWh'),
    v('bicycle_share', '2025Q1', 50, true, '*', '%'),
    v('waste_per_household', '2024Q1', 20, true, '*', 'L/household/week'), v('waste_per_household', '2025Q1', 30, true, '*', 'L/household/week'),
    v('peak_power', '2025Q1', 50, false, 'building-9', 'kW'),
  ];
}

export function testConfig(tenant: string, statusTenant: string): DashboardConfig {
  const base = defaultConfig();
  return {
    ...base,
    targets: [...base.targets, scenarioCity(tenant), statusCity(statusTenant)],
    // building-0 far below its use (the peak alert fires), building-1 far above (it does not)
    peakPowerLimits: { ...base.peakPowerLimits, [tenant]: { 'building-0': 1, 'building-1': 1000 } },
  };
}

/**
 * Stored values for the committed cities' targets (kalmar, malmo): 100 in each
 * of `periods` of the target's kind and, where the baseline comes from the
 * store, 120 in the same period of the baseline year — so their panels show
 * the real targets' trajectories and statuses.
 */
export function committedCityValues(cities: CityTargets[], periods: Period[]): IndicatorValue[] {
  const out = new Map<string, IndicatorValue>();
  for (const c of cities) {
    for (const t of c.targets) {
      const unit = getIndicator(t.indicator)!.unit;
      for (const p of periods.filter((x) => x.kind === t.periodKind)) {
        const v: IndicatorValue = { indicator: t.indicator, period: p.label, periodKind: p.kind, tenant: c.tenant, entity: t.entity, value: 100, unit, coverage: 1, sufficient: true };
        out.set(`${c.tenant}|${t.indicator}|${t.entity}|${p.label}`, v);
        const b = `${t.baselineYear}${p.label.slice(4)}`;
        if (t.baselineValue === undefined) out.set(`${c.tenant}|${t.indicator}|${t.entity}|${b}`, { ...v, period: b, value: 120 });
      }
    }
  }
  return [...out.values()];
}
