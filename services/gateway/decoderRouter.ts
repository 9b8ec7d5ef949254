import { ConfigError } from '../core/errors.js';
import { getDecoder, decoders } from '../decoders/index.js';
import type { Decoder } from '../decoders/types.js';

/** MQTT topic filter matching (`+` one level, `#` the rest), per MQTT 3.1.1 §4.7. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const part = f[i]!;
    if (part === '#') return i < t.length || (i === t.length && i > 0);
    if (i >= t.length) return false;
    if (part !== '+' && part !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Picks a decoder by topic filter; the first matching route wins. */
export class DecoderRouter {
  private readonly routes: ReadonlyArray<{ filter: string; decoder: Decoder }>;

  constructor(routes: ReadonlyArray<readonly [string, string]>, variable = 'DECODER_ROUTES') {
    this.routes = routes.map(([filter, name]) => {
      const decoder = getDecoder(name);
      if (!decoder) throw new ConfigError(variable, `a decoder name (${Object.keys(decoders).join(', ')})`, name);
      return { filter, decoder };
    });
  }

  decoderFor(topic: string): Decoder | undefined {
    return this.routes.find((r) => topicMatches(r.filter, topic))?.decoder;
  }

  /** The topic filters the gateway subscribes to. */
  filters(): string[] {
    return [...new Set(this.routes.map((r) => r.filter))];
  }
}
