import type { Status } from '../indicators/targets/targets.js';
import type { Lang } from './reportData.js';

/**
 * Every word the quarterly report prints, in Swedish and English, and the
 * number/date formatting of each language (Intl, sv-SE / en-GB). The renderers
 * hold no text of their own: adding a label means adding it here, in both.
 */
export interface Labels {
  locale: 'sv-SE' | 'en-GB';
  status: Record<Status, string>;
  /** What each status means, for the "how to read" box. */
  statusMeaning: Record<Status, string>;
  title: string;
  /** "Climate follow-up Q3 2025" (the page's heading). */
  reportFor: (quarter: string) => string;
  intro: string;
  contract: string;
  generated: string;
  atAGlance: string;
  /** The word after a count of targets: "mål" / "target(s)". */
  targetWord: (n: number) => string;
  headings: { summary: string; targets: string; quality: string; indicators: string; howToRead: string };
  columns: {
    target: string;
    status: string;
    current: (quarter: string) => string;
    trajectory: string;
    goal: string;
    coverage: string;
    indicator: string;
    value: string;
  };
  facts: { indicator: string; source: string; baseline: string; goal: string; coverage: string; previous: string };
  /** "45 % in 2025" / "45 % år 2025". */
  goalIn: (value: string, year: number) => string;
  /** The goal's year alone: "år 2025" / "in 2025". */
  goalYear: (year: number) => string;
  chart: {
    value: string;
    insufficient: string;
    trajectory: string;
    goal: (year: number) => string;
    noData: string;
    noDataDetail: string;
    /** Alt text (SVG <desc>). */
    desc: (a: { indicator: string; unit: string; from: string; to: string; last?: string; lastPeriod?: string; trajectory?: string; goal?: string; goalYear: number; insufficient: string[] }) => string;
  };
  quality: {
    devices: string;
    devicesValue: (reporting: string, registered: string, share: string) => string;
    devicesUnknown: (reporting: string, registered: string) => string;
    deadLetter: string;
    deadLetterHelp: string;
    gaps: string;
    gapsHelp: string;
    notes: string;
    unknown: string;
    lowDeviceCoverage: (share: string, floor: string) => string;
    unknownDeviceCoverage: string;
    restsOnTooLittle: string;
    earlierQuarters: string;
    allSufficient: string;
    coverageOf: (share: string) => string;
    noValue: string;
  };
  /** Short cell note for a figure built on too little data. */
  tooLittleData: string;
  /** Short cell note where there is no figure at all. */
  noData: string;
  /** Where the goal is only given relative to a seasonal baseline: the trajectory shows it. */
  goalSeeTrajectory: string;
  noOtherIndicators: string;
  missing: string;
  quarterLong: (q: string) => string;
  quarterShort: (q: string) => { quarter: string; year: string };
  footer: string;
}

const SV: Labels = {
  locale: 'sv-SE',
  status: { on_track: 'I fas', behind: 'Efter', off_track: 'Ur fas', not_enough_data: 'Otillräckliga data' },
  statusMeaning: {
    on_track: 'Utfallet är lika bra som eller bättre än färdplanen mot målet.',
    behind: 'Utfallet är något sämre än färdplanen, men inom den tolererade marginalen.',
    off_track: 'Utfallet är sämre än färdplanen med mer än den tolererade marginalen.',
    not_enough_data: 'För lite mätdata för kvartalet för att säga något säkert. Siffran ska inte läsas som fakta.',
  },
  title: 'Klimatuppföljning',
  reportFor: (q) => `Klimatuppföljning ${q}`,
  intro: 'Klimatkontraktets mål följs upp varje kvartal mot en färdplan från basåret till målåret, på samma sätt som ekonomin följs upp mot budget.',
  contract: 'Klimatkontrakt',
  generated: 'Skapad',
  atAGlance: 'Målen i korthet',
  targetWord: () => 'mål',
  headings: { summary: 'Sammanfattning', targets: 'Målen ett för ett', quality: 'Datakvalitet', indicators: 'Övriga indikatorer', howToRead: 'Så läser du statusen' },
  columns: {
    target: 'Mål',
    status: 'Status',
    current: (q) => `Utfall ${q}`,
    trajectory: 'Färdplan',
    goal: 'Målvärde',
    coverage: 'Datatäckning',
    indicator: 'Indikator',
    value: 'Värde',
  },
  facts: { indicator: 'Indikator', source: 'Källa', baseline: 'Basår', goal: 'Mål', coverage: 'Datatäckning i kvartalet', previous: 'Föregående kvartal' },
  goalIn: (v, y) => `${v} år ${y}`,
  goalYear: (y) => `år ${y}`,
  chart: {
    value: 'Utfall',
    insufficient: 'Otillräckliga data',
    trajectory: 'Färdplan mot målet',
    goal: (y) => `Mål ${y}`,
    noData: 'Inga data ännu',
    noDataDetail: 'Det finns inga mätvärden för de här kvartalen.',
    desc: (a) =>
      [
        `Linjediagram: ${a.indicator} (${a.unit}) per kvartal, ${a.from}–${a.to}.`,
        a.last === undefined ? 'Inget värde för det senaste kvartalet.' : `Senaste värde ${a.last} (${a.lastPeriod}).`,
        a.trajectory === undefined ? '' : `Färdplanen ligger på ${a.trajectory}.`,
        a.goal === undefined ? '' : `Målet är ${a.goal} år ${a.goalYear}.`,
        a.insufficient.length ? `Otillräckliga data: ${a.insufficient.join(', ')}.` : '',
      ]
        .filter(Boolean)
        .join(' '),
  },
  quality: {
    devices: 'Enheter som rapporterade',
    devicesValue: (r, n, s) => `${r} av ${n} (${s})`,
    devicesUnknown: (r, n) => `${r} av ${n}`,
    deadLetter: 'Avvisade meddelanden',
    deadLetterHelp: 'andel meddelanden som inte gick att tolka och lades åt sidan',
    gaps: 'Luckor i dataserierna',
    gapsHelp: 'antal avbrott där en enhet tystnade längre än väntat',
    notes: 'Anteckningar',
    unknown: 'uppgift saknas',
    lowDeviceCoverage: (s, f) => `Bara ${s} av enheterna rapporterade under kvartalet (golvet är ${f}). Siffrorna i rapporten vilar på ofullständiga data.`,
    unknownDeviceCoverage: 'Det är okänt hur stor del av enheterna som rapporterade. Läs siffrorna med försiktighet.',
    restsOnTooLittle: 'De här siffrorna för kvartalet vilar på för lite data och ska inte läsas som fakta:',
    earlierQuarters: 'Tidigare kvartal med för lite data är skrafferade i diagrammen och har ihåliga grå punkter.',
    allSufficient: 'Alla kvartalsvärden för målen bygger på tillräckligt med data.',
    coverageOf: (s) => `datatäckning ${s}`,
    noValue: 'inget värde',
  },
  tooLittleData: 'för lite data',
  noData: 'inga data',
  goalSeeTrajectory: 'se färdplanen',
  noOtherIndicators: 'Inga övriga indikatorer för kvartalet.',
  missing: '–',
  quarterLong: (q) => {
    const m = /^(\d{4})Q([1-4])$/.exec(q);
    return m ? `kvartal ${m[2]} ${m[1]}` : q;
  },
  quarterShort: (q) => {
    const m = /^(\d{4})Q([1-4])$/.exec(q);
    return m ? { quarter: `Kv ${m[2]}`, year: m[1]! } : { quarter: q, year: '' };
  },
  footer: 'Rapporten är skapad automatiskt av Klimatpuls från sensordata. Värden med otillräcklig datatäckning visas men räknas inte som utfall.',
};

const EN: Labels = {
  locale: 'en-GB',
  status: { on_track: 'On track', behind: 'Behind', off_track: 'Off track', not_enough_data: 'Not enough data' },
  statusMeaning: {
    on_track: 'The result is as good as or better than the trajectory towards the target.',
    behind: 'The result is slightly worse than the trajectory, but within the tolerated margin.',
    off_track: 'The result is worse than the trajectory by more than the tolerated margin.',
    not_enough_data: 'Too little measured data in the quarter to say anything reliable. Do not read the figure as fact.',
  },
  title: 'Climate follow-up',
  reportFor: (q) => `Climate follow-up ${q}`,
  intro: 'The climate contract’s targets are followed up every quarter against a trajectory from the baseline year to the target year, the way the finances are followed up against the budget.',
  contract: 'Climate contract',
  generated: 'Generated',
  atAGlance: 'Targets at a glance',
  targetWord: (n) => (n === 1 ? 'target' : 'targets'),
  headings: { summary: 'Summary', targets: 'The targets one by one', quality: 'Data quality', indicators: 'Other indicators', howToRead: 'How to read the status' },
  columns: {
    target: 'Target',
    status: 'Status',
    current: (q) => `Result ${q}`,
    trajectory: 'Trajectory',
    goal: 'Target value',
    coverage: 'Data coverage',
    indicator: 'Indicator',
    value: 'Value',
  },
  facts: { indicator: 'Indicator', source: 'Source', baseline: 'Baseline year', goal: 'Target', coverage: 'Data coverage in the quarter', previous: 'Previous quarter' },
  goalIn: (v, y) => `${v} in ${y}`,
  goalYear: (y) => `in ${y}`,
  chart: {
    value: 'Result',
    insufficient: 'Not enough data',
    trajectory: 'Trajectory to target',
    goal: (y) => `Target ${y}`,
    noData: 'No data yet',
    noDataDetail: 'There are no measured values for these quarters.',
    desc: (a) =>
      [
        `Line chart: ${a.indicator} (${a.unit}) per quarter, ${a.from} to ${a.to}.`,
        a.last === undefined ? 'No value for the latest quarter.' : `Latest value ${a.last} (${a.lastPeriod}).`,
        a.trajectory === undefined ? '' : `The trajectory is at ${a.trajectory}.`,
        a.goal === undefined ? '' : `The target is ${a.goal} in ${a.goalYear}.`,
        a.insufficient.length ? `Not enough data: ${a.insufficient.join(', ')}.` : '',
      ]
        .filter(Boolean)
        .join(' '),
  },
  quality: {
    devices: 'Devices that reported',
    devicesValue: (r, n, s) => `${r} of ${n} (${s})`,
    devicesUnknown: (r, n) => `${r} of ${n}`,
    deadLetter: 'Rejected messages',
    deadLetterHelp: 'share of messages that could not be read and were set aside',
    gaps: 'Gaps in the data series',
    gapsHelp: 'number of times a device was silent for longer than expected',
    notes: 'Notes',
    unknown: 'not available',
    lowDeviceCoverage: (s, f) => `Only ${s} of the devices reported in the quarter (the floor is ${f}). The figures in this report rest on incomplete data.`,
    unknownDeviceCoverage: 'It is not known what share of the devices reported. Read the figures with care.',
    restsOnTooLittle: 'These figures for the quarter rest on too little data and should not be read as fact:',
    earlierQuarters: 'Earlier quarters with too little data are hatched in the charts and have hollow grey dots.',
    allSufficient: 'All quarterly values for the targets rest on enough data.',
    coverageOf: (s) => `data coverage ${s}`,
    noValue: 'no value',
  },
  tooLittleData: 'too little data',
  noData: 'no data',
  goalSeeTrajectory: 'see the trajectory',
  noOtherIndicators: 'No other indicators for the quarter.',
  missing: '–',
  quarterLong: (q) => {
    const m = /^(\d{4})Q([1-4])$/.exec(q);
    return m ? `Q${m[2]} ${m[1]}` : q;
  },
  quarterShort: (q) => {
    const m = /^(\d{4})Q([1-4])$/.exec(q);
    return m ? { quarter: `Q${m[2]}`, year: m[1]! } : { quarter: q, year: '' };
  },
  footer: 'This report was generated automatically by Klimatpuls from sensor data. Values with too little data coverage are shown but not counted as results.',
};

export function labels(lang: Lang): Labels {
  return lang === 'sv' ? SV : EN;
}

const numberFormats = new Map<string, Intl.NumberFormat>();
function nf(locale: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(opts)}`;
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(locale, opts)));
  return f;
}

/** Decimals that suit the magnitude: 3 600 · 45,6 · 14,1 · 0,42. */
function digitsFor(v: number): number {
  const a = Math.abs(v);
  return a >= 100 ? 0 : a >= 1 ? 1 : 2;
}

/** A number in the language's format (sv: "3 600,5", en: "3,600.5"); '–' when missing. */
export function formatNumber(lang: Lang, v: number | undefined, maxDigits?: number): string {
  if (v === undefined || !Number.isFinite(v)) return labels(lang).missing;
  return nf(labels(lang).locale, { maximumFractionDigits: maxDigits ?? digitsFor(v) }).format(v);
}

/**
 * Indicators give their unit as a code-like string ('L/household/week',
 * 'count', 't CO2e'); this is how the report prints it. Unknown units are
 * printed as they are.
 */
const UNITS: Record<string, { sv: string; en: string }> = {
  'L/household/week': { sv: 'l/hushåll/vecka', en: 'L/household/week' },
  count: { sv: 'st', en: '' },
  bikes: { sv: 'cyklar', en: 'bicycles' },
  pedestrians: { sv: 'fotgängare', en: 'pedestrians' },
  vehicles: { sv: 'fordon', en: 'vehicles' },
  index: { sv: 'index', en: 'index' },
  't CO2e': { sv: 't CO₂e', en: 't CO₂e' },
  'kg CO2e': { sv: 'kg CO₂e', en: 'kg CO₂e' },
  h: { sv: 'timmar', en: 'hours' },
  'kWh/m²/year': { sv: 'kWh/m² och år', en: 'kWh/m² per year' },
};

export function unitLabel(lang: Lang, unit: string): string {
  return Object.prototype.hasOwnProperty.call(UNITS, unit) ? UNITS[unit]![lang] : unit;
}

/**
 * A value split for layout: the number, the unit as printed, and what joins
 * them ('' for "45.6%", a no-break space for "45,6 %", a space otherwise, so
 * that a long unit may wrap onto its own line).
 */
export function valueParts(lang: Lang, v: number, rawUnit: string, maxDigits?: number): { number: string; joiner: string; unit: string } {
  const unit = unitLabel(lang, rawUnit);
  const number = formatNumber(lang, v, maxDigits);
  if (!unit) return { number, joiner: '', unit };
  if (unit === '%') return { number, joiner: lang === 'sv' ? '\u00a0' : '', unit };
  return { number, joiner: unit.length <= 5 ? '\u00a0' : ' ', unit };
}

/** A value with its unit as printed: "45,6 %", "45.6%", "4 040 000 kWh", "14 st"; '–' when missing. */
export function formatValue(lang: Lang, v: number | undefined, rawUnit: string, maxDigits?: number): string {
  if (v === undefined || !Number.isFinite(v)) return labels(lang).missing;
  const p = valueParts(lang, v, rawUnit, maxDigits);
  return `${p.number}${p.joiner}${p.unit}`;
}

/** A share 0..1 as a percentage ("87 %" / "87%"); one decimal below 10 %. */
export function formatShare(lang: Lang, share: number | undefined): string {
  if (share === undefined || !Number.isFinite(share)) return labels(lang).missing;
  const digits = share !== 0 && Math.abs(share) < 0.1 ? 1 : 0;
  return nf(labels(lang).locale, { style: 'percent', maximumFractionDigits: digits }).format(share);
}

/** Date and time in Swedish local time: "6 oktober 2025 kl. 08:12" / "6 October 2025 at 08:12". */
export function formatDateTime(lang: Lang, iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(labels(lang).locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Stockholm' }).format(d);
}
