import { ConfigError } from '../../core/errors.js';
import { getDecoder, decoders } from '../../decoders/index.js';
import type { Decoder } from '../../decoders/types.js';

/** MQTT topic filter matching (`+` one level, `#` the rest), per MQTT 3.1.1 §4.7. */
export function topicMatches(filter: string, topic: string): boolean {
  return filterMatchesTopic(filter.split('/'), topic);
}

/**
 * topicMatches with the filter already split into levels, walking the topic in place
 * rather than splitting it (this runs for every message and route). `levels` becomes
 * the topic's level count once its last level was compared.
 */
export function filterMatchesTopic(f: readonly string[], topic: string): boolean {
  let start = 0;
  let levels = -1;
  for (let i = 0; i < f.length; i++) {
    const part = f[i]!;
    if (part === '#') return levels === -1 || (i === levels && i > 0);
    if (levels !== -1) return false;
    let end = topic.indexOf('/', start);
    if (end === -1) {
      end = topic.length;
      levels = i + 1;
    }
    if (part !== '+' && (end - start !== part.length || !topic.startsWith(part, start))) return false;
    start = end + 1;
  }
  return levels === f.length;
}

/**
 * Does every topic that `narrow` matches also match `wide`? (Both MQTT filters; `a/#`
 * also matches `a` itself, MQTT 3.1.1 §4.7.1.2.)
 */
export function filterCovers(wide: string, narrow: string): boolean {
  const w = wide.split('/');
  const n = narrow.split('/');
  for (let i = 0; i < w.length; i++) {
    if (w[i] === '#') return true;
    if (i >= n.length || n[i] === '#') return false;
    if (w[i] !== '+' && (n[i] === '+' || w[i] !== n[i])) return false;
  }
  return w.length === n.length;
}

/**
 * The filters without those another one covers: a broker delivers a message once per
 * matching subscription (Mosquitto 2 does), so overlapping filters would deliver it twice.
 * The decoder is chosen by the topic anyway, not by the subscription.
 */
export function coveringFilters(filters: readonly string[]): string[] {
  const unique = [...new Set(filters)];
  return unique.filter((f, i) => !unique.some((g, j) => j !== i && filterCovers(g, f) && (!filterCovers(f, g) || j < i)));
}

/** Picks a decoder by topic filter; the first matching route wins. */
export class DecoderRouter {
  private readonly routes: ReadonlyArray<{ filter: string; levels: readonly string[]; decoder: Decoder }>; // levels: the filter split at '/'

  constructor(routes: ReadonlyArray<readonly [string, string]>, variable = 'DECODER_ROUTES') {
    this.routes = routes.map(([filter, name]) => {
      const decoder = getDecoder(name);
      if (!decoder) throw new ConfigError(variable, `a decoder name (${Object.keys(decoders).join(', ')})`, name);
      return { filter, levels: filter.split('/'), decoder };
    });
  }

  decoderFor(topic: string): Decoder | undefined {
    for (const r of this.routes) if (filterMatchesTopic(r.levels, topic)) return r.decoder;
    return undefined;
  }

  /** The topic filters the gateway subscribes to (none covered by another). */
  filters(): string[] {
    return coveringFilters(this.routes.map((r) => r.filter));
  }
}
