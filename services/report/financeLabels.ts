import type { NoForecast } from './finance.js';
import type { Lang } from './reportData.js';

/**
 * The words of the report's finance sections (outcome against budget, forecast,
 * carbon budget, changes since last quarter) and of the xlsx/CSV headers, in
 * Swedish and English. Kept apart from i18n.ts, which holds the rest.
 */
export interface FinanceLabels {
  headings: { finance: string; chart: string; carbon: string; changes: string; method: string };
  intro: string;
  columns: {
    target: string;
    quarter: string;
    quarterBudget: string;
    ytd: string;
    ytdBudget: string;
    deviation: string;
    ytdDeviation: string;
    deviationShare: string;
    yearBudget: string;
    forecast: string;
    interval: string;
    forecastDeviation: string;
    unit: string;
    aggregate: string;
    previousStatus: string;
    status: string;
    valueChange: string;
    valueChangeShare: string;
    baselineSource: string;
    allowed: string;
    allowedYtd: string;
    spent: string;
    remaining: string;
    spentShare: string;
    forecastRemaining: string;
    period: string;
    value: string;
    budget: string;
    sufficient: string;
    coverage: string;
  };
  aggregate: { sum: string; mean: string };
  noForecast: Record<NoForecast, string>;
  favourable: string;
  unfavourable: string;
  estimated: (quarters: string) => string;
  ytdPoor: string;
  chartDesc: string;
  chartBudgetLine: string;
  carbonIntro: string;
  carbonNone: string;
  carbonSentence: (a: { spent: string; allowed: string; share: string; remaining: string; year: number }) => string;
  carbonForecast: (a: { forecast: string; remaining: string; over: boolean }) => string;
  statusChanged: string;
  statusSame: string;
  method: string;
  sheets: { summary: string; history: string; carbon: string; quality: string };
  yes: string;
  no: string;
}

const SV: FinanceLabels = {
  headings: { finance: 'Utfall mot budget', chart: 'Hittills i år mot budget', carbon: 'Koldioxidbudget', changes: 'Vad har ändrats sedan förra kvartalet', method: 'Så räknas prognosen' },
  intro: 'Varje mål följs upp som en budget: färdplanen är årets budget, utfallet hittills i år jämförs med budgeten för samma kvartal och en prognos visar var helåret hamnar.',
  columns: {
    target: 'Mål', quarter: 'Utfall kvartalet', quarterBudget: 'Budget kvartalet', ytd: 'Utfall hittills i år', ytdBudget: 'Budget hittills i år', deviation: 'Avvikelse', ytdDeviation: 'Avvikelse hittills i år', deviationShare: 'Avvikelse %',
    yearBudget: 'Årsbudget', forecast: 'Prognos helår', interval: 'Prognosintervall', forecastDeviation: 'Prognos mot årsbudget', unit: 'Enhet', aggregate: 'Summering', previousStatus: 'Status förra kvartalet',
    status: 'Status', valueChange: 'Förändring', valueChangeShare: 'Förändring %', baselineSource: 'Basvärdets källa', allowed: 'Tillåtet i år', allowedYtd: 'Tillåtet hittills', spent: 'Förbrukat hittills i år', remaining: 'Kvar', spentShare: 'Förbrukad andel',
    forecastRemaining: 'Kvar enligt prognos', period: 'Period', value: 'Utfall', budget: 'Budget', sufficient: 'Tillräckliga data', coverage: 'Datatäckning',
  },
  aggregate: { sum: 'summa av kvartalen', mean: 'medel av kvartalen' },
  noForecast: { no_comparable_quarter: 'Otillräckliga data för prognos: inget kvartal i år kan jämföras med samma kvartal i fjol.', last_year_incomplete: 'Otillräckliga data för prognos: fjolårets profil saknar kvartal som behövs.' },
  favourable: 'bättre än budget',
  unfavourable: 'sämre än budget',
  estimated: (q) => `skattat från fjolåret: ${q}`,
  ytdPoor: 'vilar delvis på för lite data',
  chartDesc: 'Stapeldiagram: utfallet hittills i år i procent av budgeten hittills i år, per mål. Linjen vid 100 % är budgeten.',
  chartBudgetLine: 'Budget = 100 %',
  carbonIntro: 'Utsläppen färdplanen tillåter i år, mot vad som har släppts ut hittills i år.',
  carbonNone: 'Inget mål följer utsläpp i ton CO₂e.',
  carbonSentence: (a) => `Hittills ${a.year} har ${a.spent} släppts ut av tillåtna ${a.allowed} (${a.share}); ${a.remaining} återstår för resten av året.`,
  carbonForecast: (a) => (a.over ? `Prognosen för helåret, ${a.forecast}, överskrider budgeten med ${a.remaining}.` : `Prognosen för helåret, ${a.forecast}, lämnar ${a.remaining} av budgeten.`),
  statusChanged: 'ändrad',
  statusSame: 'oförändrad',
  method:
    'Prognosen utgår från takten mot i fjol: utfallet hittills i år delat med fjolårets utfall för samma kvartal (bara kvartal med tillräckliga data båda åren). Återstående kvartal, och kvartal i år med för lite data, skattas som fjolårets kvartal gånger takten. Intervallet använder den lägsta och högsta takten för enskilda kvartal i år. Saknas fjolårets data blir det ingen prognos.',
  sheets: { summary: 'Sammanfattning', history: 'Kvartal', carbon: 'Koldioxidbudget', quality: 'Datakvalitet' },
  yes: 'ja',
  no: 'nej',
};

const EN: FinanceLabels = {
  headings: { finance: 'Outcome against budget', chart: 'Year to date against budget', carbon: 'Carbon budget', changes: 'What changed since last quarter', method: 'How the forecast is computed' },
  intro: 'Each target is followed up like a budget: the trajectory is the year’s budget, the year to date is compared with the budget for the same quarters, and a forecast shows where the full year lands.',
  columns: {
    target: 'Target', quarter: 'Quarter outcome', quarterBudget: 'Quarter budget', ytd: 'Year to date', ytdBudget: 'YTD budget', deviation: 'Deviation', ytdDeviation: 'YTD deviation', deviationShare: 'Deviation %',
    yearBudget: 'Full-year budget', forecast: 'Full-year forecast', interval: 'Forecast interval', forecastDeviation: 'Forecast against budget', unit: 'Unit', aggregate: 'Aggregation', previousStatus: 'Status last quarter',
    status: 'Status', valueChange: 'Change', valueChangeShare: 'Change %', baselineSource: 'Baseline source', allowed: 'Allowed this year', allowedYtd: 'Allowed so far', spent: 'Spent year to date', remaining: 'Remaining', spentShare: 'Share spent',
    forecastRemaining: 'Remaining by forecast', period: 'Period', value: 'Outcome', budget: 'Budget', sufficient: 'Sufficient data', coverage: 'Data coverage',
  },
  aggregate: { sum: 'sum of the quarters', mean: 'mean of the quarters' },
  noForecast: { no_comparable_quarter: 'Not enough data for a forecast: no quarter this year can be compared with the same quarter last year.', last_year_incomplete: 'Not enough data for a forecast: last year’s profile lacks quarters it needs.' },
  favourable: 'better than budget',
  unfavourable: 'worse than budget',
  estimated: (q) => `estimated from last year: ${q}`,
  ytdPoor: 'rests partly on too little data',
  chartDesc: 'Bar chart: the year to date as a percentage of the year-to-date budget, per target. The line at 100% is the budget.',
  chartBudgetLine: 'Budget = 100%',
  carbonIntro: 'The emissions the trajectory allows this year, against what has been emitted so far this year.',
  carbonNone: 'No target follows emissions in tonnes CO₂e.',
  carbonSentence: (a) => `So far in ${a.year}, ${a.spent} have been emitted of the ${a.allowed} allowed (${a.share}); ${a.remaining} remain for the rest of the year.`,
  carbonForecast: (a) => (a.over ? `The full-year forecast, ${a.forecast}, exceeds the budget by ${a.remaining}.` : `The full-year forecast, ${a.forecast}, leaves ${a.remaining} of the budget.`),
  statusChanged: 'changed',
  statusSame: 'unchanged',
  method:
    'The forecast starts from the pace against last year: the year to date divided by last year’s outcome for the same quarters (only quarters with sufficient data in both years). Remaining quarters, and quarters this year with too little data, are estimated as last year’s quarter times that pace. The interval uses the lowest and highest pace of single quarters this year. Without last year’s data there is no forecast.',
  sheets: { summary: 'Summary', history: 'Quarters', carbon: 'Carbon budget', quality: 'Data quality' },
  yes: 'yes',
  no: 'no',
};

export function financeLabels(lang: Lang): FinanceLabels {
  return lang === 'sv' ? SV : EN;
}
