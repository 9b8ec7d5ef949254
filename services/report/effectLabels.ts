import type { Lang, ReportEffect } from './reportData.js';

/**
 * The words of the report's "Measured effect of measures" section, Swedish and
 * English (kept beside i18n.ts so that file stays one screenful per language;
 * the same rule: the renderer holds no text of its own).
 */
export interface EffectLabels {
  heading: string;
  intro: string;
  criteria: (cv: string, nmbe: string) => string;
  none: string;
  columns: { measure: string; period: string; avoided: string; uncertainty: string; cvrmse: string; nmbe: string; passes: string };
  kind: Record<ReportEffect['kind'], string>;
  yes: string;
  no: string;
  failed: Record<string, string>;
  ofExpected: (share: string) => string;
  days: (used: string, all: string) => string;
  /** "68 %: ± 1 200 kWh · 90 %: ± 2 000 kWh". */
  at: (level: string) => string;
  model: { hdd: (bp: string) => string; cdd: (bp: string) => string; hdd_cdd: (heating: string, cooling: string) => string; intercept_only: string; none: string };
  control: (buildings: string, share: string) => string;
  from: (date: string) => string;
}

const SV: EffectLabels = {
  heading: 'Uppmätt effekt av åtgärder',
  intro:
    'Varje åtgärd jämförs med en modell av byggnadernas dygnsvisa energianvändning mot graddagar under året före åtgärden (IPMVP alternativ C, CalTRACK-metoden). Undviken energi är vad modellen förutsäger för rapportperioden minus den uppmätta användningen, fram till kvartalets slut. Osäkerheten räknas enligt ASHRAE Guideline 14.',
  criteria: (cv, nmbe) => `Modellen godkänns när CV(RMSE) är högst ${cv} och NMBE inom ±${nmbe} (Guideline 14:s krav för data tätare än månadsvis, tillämpade på dygnsdata), osäkerheten är under hälften av besparingen vid 68 % konfidens och minst 90 % av basårets dygn har data.`,
  none: 'Inga åtgärder är inlagda för staden (MEASURES_FILE).',
  columns: { measure: 'Åtgärd', period: 'Rapportperiod', avoided: 'Undviken energi', uncertainty: 'Osäkerhet (±)', cvrmse: 'CV(RMSE)', nmbe: 'NMBE', passes: 'Modellen godkänd' },
  kind: { renovation: 'Renovering', campaign: 'Beteendekampanj', control_system: 'Nytt styrsystem', other: 'Annan åtgärd' },
  yes: 'Ja',
  no: 'Nej',
  failed: {
    cvrmse: 'CV(RMSE) för hög',
    nmbe: 'NMBE utanför gränsen',
    uncertainty68: 'osäkerheten är minst halva besparingen',
    baselineData: 'för lite data under basåret',
    reportingData: 'för lite data under rapportperioden',
  },
  ofExpected: (s) => `${s} av förväntad användning`,
  days: (u, a) => `${u} av ${a} dygn med data`,
  at: (l) => `${l} konfidens`,
  model: { hdd: (bp) => `graddagsmodell, balanstemperatur ${bp} °C`, cdd: (bp) => `kylgraddagsmodell, balanstemperatur ${bp} °C`, hdd_cdd: (h, c) => `graddagsmodell för värme och kyla, balanstemperatur ${h} °C respektive ${c} °C`, intercept_only: 'konstant modell (inget temperaturberoende)', none: 'ingen modell (för lite data)' },
  control: (b, s) => `netto mot kontrollgruppen ${b} (förändring där: ${s})`,
  from: (d) => `från ${d}`,
};

const EN: EffectLabels = {
  heading: 'Measured effect of measures',
  intro:
    'Each measure is compared with a model of the buildings’ daily energy use against degree-days in the year before the measure (IPMVP Option C, the CalTRACK method). Avoided energy is what the model predicts for the reporting period minus the measured use, up to the end of the quarter. The uncertainty follows ASHRAE Guideline 14.',
  criteria: (cv, nmbe) => `A model passes when CV(RMSE) is at most ${cv} and NMBE within ±${nmbe} (Guideline 14’s criteria for data finer than monthly, applied to daily data), the uncertainty is below half the savings at 68 % confidence, and at least 90 % of the baseline year’s days have data.`,
  none: 'No measures are defined for the city (MEASURES_FILE).',
  columns: { measure: 'Measure', period: 'Reporting period', avoided: 'Avoided energy', uncertainty: 'Uncertainty (±)', cvrmse: 'CV(RMSE)', nmbe: 'NMBE', passes: 'Model passes' },
  kind: { renovation: 'Renovation', campaign: 'Behaviour campaign', control_system: 'New control system', other: 'Other measure' },
  yes: 'Yes',
  no: 'No',
  failed: {
    cvrmse: 'CV(RMSE) too high',
    nmbe: 'NMBE out of bounds',
    uncertainty68: 'the uncertainty is at least half the savings',
    baselineData: 'too little data in the baseline year',
    reportingData: 'too little data in the reporting period',
  },
  ofExpected: (s) => `${s} of the expected use`,
  days: (u, a) => `${u} of ${a} days with data`,
  at: (l) => `${l} confidence`,
  model: { hdd: (bp) => `degree-day model, balance point ${bp} °C`, cdd: (bp) => `cooling degree-day model, balance point ${bp} °C`, hdd_cdd: (h, c) => `heating and cooling degree-day model, balance points ${h} °C and ${c} °C`, intercept_only: 'constant model (no temperature dependence)', none: 'no model (too little data)' },
  control: (b, s) => `net of the control group ${b} (change there: ${s})`,
  from: (d) => `from ${d}`,
};

export function effectLabels(lang: Lang): EffectLabels {
  return lang === 'sv' ? SV : EN;
}
