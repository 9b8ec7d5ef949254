import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe, mosquittoAcl, tenantOfTopic } from './topicSpace.js';

describe('tenant topic space', () => {
  it('a tenant may publish only under klimatpuls/{tenant}/ and tenants/{tenant}/', () => {
    expect(mayPublish('a', 'klimatpuls/a/dev/up')).toBe(true);
    expect(mayPublish('a', 'tenants/a/wmbusmeters/123')).toBe(true);
    for (const t of ['klimatpuls/b/dev/up', 'tenants/b/x', 'klimatpuls/a', 'klimatpuls/a/', 'klimatpuls/ab/dev/up', 'v3/app/devices/x/up', '$SYS/x', 'klimatpuls/a/+/up', 'x/klimatpuls/a/d']) {
      expect(mayPublish('a', t), t).toBe(false);
    }
  });

  it('a tenant may subscribe only under its roots, never with a wildcard in the tenant level', () => {
    expect(maySubscribe('a', 'klimatpuls/a/#')).toBe(true);
    expect(maySubscribe('a', 'tenants/a/+/x')).toBe(true);
    for (const f of ['#', '+/#', 'klimatpuls/#', 'klimatpuls/+/#', 'klimatpuls/b/#', 'tenants/+/x', '$SYS/#', 'klimatpuls/a']) expect(maySubscribe('a', f), f).toBe(false);
  });

  it('names the tenant of a topic', () => {
    expect(tenantOfTopic('klimatpuls/kalmarhem/d/up')).toBe('kalmarhem');
    expect(tenantOfTopic('tenants/hsb/senml/x')).toBe('hsb');
    expect(tenantOfTopic('wmbusmeters/123')).toBeUndefined();
    expect(tenantOfTopic('klimatpuls/Not A Slug/d/up')).toBeUndefined();
  });

  it("writes the tenant's Mosquitto ACL", () => {
    expect(mosquittoAcl('a', 'a')).toBe('user a\ntopic write klimatpuls/a/#\ntopic write tenants/a/#\n');
  });
});
