import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { loadConfig } from '../../core/config.js';
import { DEFAULT_ROUTES, decoders } from '../../decoders/index.js';
import { coveringFilters, DecoderRouter, filterCovers, topicMatches } from './decoderRouter.js';

describe('topicMatches (MQTT 3.1.1 §4.7)', () => {
  it.each([
    // exact
    ['a/b/c', 'a/b/c', true],
    ['a/b/c', 'a/b/d', false],
    ['a/b/c', 'a/b', false],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'A/b/c', false], // topics are case-sensitive
    // + matches exactly one level, including an empty one
    ['klimatpuls/+/+/up', 'klimatpuls/kalmar/el-1/up', true],
    ['klimatpuls/+/+/up', 'klimatpuls/kalmar/up', false],
    ['klimatpuls/+/+/up', 'klimatpuls/kalmar/el-1/x/up', false],
    ['klimatpuls/+/+/up', 'klimatpuls/kalmar/el-1/down', false],
    ['a/+', 'a/', true],
    ['+', 'a', true],
    ['+', 'a/b', false],
    ['+/+', '/a', true],
    // # matches the rest, any number of levels
    ['a/#', 'a/b', true],
    ['a/#', 'a/b/c/d', true],
    ['#', 'a/b/c', true],
    ['#', 'a', true],
    ['a/+/#', 'a/b/c', true],
    ['a/#', 'b/a', false],
    // # also matches its parent level (§4.7.1.2: "sport/#" matches "sport")
    ['a/#', 'a', true],
    ['klimatpuls/kalmar/#', 'klimatpuls/kalmar', true],
    ['a/b/#', 'a', false],
  ])('%s vs %s → %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('topicMatches walks the topic in place', () => {
  /** The straightforward version: split both, compare level by level. */
  function bySplitting(filter: string, topic: string): boolean {
    const f = filter.split('/');
    const t = topic.split('/');
    for (let i = 0; i < f.length; i++) {
      if (f[i] === '#') return i < t.length || (i === t.length && i > 0);
      if (i >= t.length) return false;
      if (f[i] !== '+' && f[i] !== t[i]) return false;
    }
    return f.length === t.length;
  }
  const level = fc.constantFrom('', 'a', 'b', 'ab', '+', '#');
  const path = fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/'));

  it('agrees with splitting both into levels', () => {
    fc.assert(
      fc.property(path, path, (filter, topic) => {
        expect(topicMatches(filter, topic), `${filter} vs ${topic}`).toBe(bySplitting(filter, topic));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('DecoderRouter', () => {
  it('routes the native topic to the native decoder by default, and subscribes to every default filter once', () => {
    const r = new DecoderRouter(DEFAULT_ROUTES);
    expect(r.decoderFor('klimatpuls/kalmar/el-1/up')).toBe(decoders.native);
    expect(r.decoderFor('klimatpuls/kalmar/el-1/down')).toBeUndefined();
    expect(r.decoderFor('nobody/listens/here')).toBeUndefined();
    expect(r.filters()).toEqual([...new Set(DEFAULT_ROUTES.map(([f]) => f))]);
    // every default route names a registered decoder, and each filter leads to its decoder
    for (const [filter, name] of DEFAULT_ROUTES) {
      const example = filter.replaceAll('+', 'x').replace(/#$/, 'x');
      expect(r.decoderFor(example)?.name, filter).toBe(name);
    }
  });

  it('takes routes from DECODER_ROUTES, first match wins, filters listed once', () => {
    const { DECODER_ROUTES } = loadConfig({ DECODER_ROUTES: 'a/+/up=native,a/#=native,b/#=native' });
    const r = new DecoderRouter(DECODER_ROUTES!);
    // a/+/up is covered by a/#: subscribing to both would deliver a/x/up twice (Mosquitto 2)
    expect(r.filters()).toEqual(['a/#', 'b/#']);
    expect(r.decoderFor('b/x/y')).toBe(decoders.native);
    expect(r.decoderFor('c/x')).toBeUndefined();
    const dup = new DecoderRouter([['a/#', 'native'], ['a/#', 'native']]);
    expect(dup.filters()).toEqual(['a/#']);
  });

  it('knows which filter covers which (subscriptions without overlap)', () => {
    expect(filterCovers('a/#', 'a')).toBe(true);
    expect(filterCovers('a/#', 'a/+/up')).toBe(true);
    expect(filterCovers('a/+/up', 'a/x/up')).toBe(true);
    expect(filterCovers('+/+/up', 'a/+/up')).toBe(true);
    expect(filterCovers('a/+/up', 'a/#')).toBe(false);
    expect(filterCovers('a/+/up', '+/x/up')).toBe(false);
    expect(filterCovers('a/+', 'a/+/up')).toBe(false);
    expect(filterCovers('#', 'anything/#')).toBe(true);
    expect(coveringFilters(['a/+/up', 'b/+', 'a/#', 'a/#', '+/x'])).toEqual(['b/+', 'a/#', '+/x']);
    expect(coveringFilters(['#', 'a/#', 'b'])).toEqual(['#']);
  });

  it('throws a ConfigError naming DECODER_ROUTES for an unknown decoder name', () => {
    let err: unknown;
    try {
      new DecoderRouter([['klimatpuls/+/+/up', 'native'], ['acme/#', 'no-such-decoder']]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('DECODER_ROUTES');
    expect((err as ConfigError).message).toMatch(/^DECODER_ROUTES: /);
    expect((err as ConfigError).message).toContain('"no-such-decoder"');
    expect((err as ConfigError).message).toContain('native'); // lists what exists
  });

  it('does not take inherited property names for decoders', () => {
    expect(() => new DecoderRouter([['a/#', 'constructor']])).toThrow(ConfigError);
    expect(() => new DecoderRouter([['a/#', '__proto__']])).toThrow(ConfigError);
  });
});
