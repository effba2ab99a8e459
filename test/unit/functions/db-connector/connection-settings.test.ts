import { describe, expect, it } from 'vitest';
import { connectionSettings } from '../../../../functions/db-connector/connection-settings.ts';
import { Secrets } from '../../../../functions/db-connector/secrets.ts';
import { resourceSchema, type SqlResource } from '../../../../shared/config/resources.ts';

const secrets = new Secrets({ env: { BATON_SECRET_PW: 'p@ss/w:rd?#%', BATON_SECRET_CA: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----' } });
const resource = (settings: Record<string, unknown>) => resourceSchema.parse({ type: 'postgres', ...settings }) as SqlResource;

describe('connection settings', () => {
  it('take the URL apart, with a secret of any characters as the password', async () => {
    const { settings } = await connectionSettings('shop', resource({ url: 'postgresql://app:{{ secret:PW }}@db.internal:6543/my%20shop' }), secrets);
    expect(settings).toEqual({ host: 'db.internal', port: 6543, user: 'app', password: 'p@ss/w:rd?#%', database: 'my shop', ssl: false });
  });

  it('default the port by type, and accept IPv6 hosts', async () => {
    const mysql = resourceSchema.parse({ type: 'mysql', url: 'mysql://app:{{ secret:PW }}@[::1]/x' }) as SqlResource;
    expect((await connectionSettings('m', mysql, secrets)).settings).toMatchObject({ host: '::1', port: 3306 });
  });

  it('map ssl settings and URL modes to TLS options, with PEM from a secret', async () => {
    const fromResource = await connectionSettings('s', resource({ url: 'postgres://a:b@h/d', ssl: { ca: '{{ secret:CA }}', servername: 'db' } }), secrets);
    expect(fromResource.settings.ssl).toEqual({ rejectUnauthorized: true, ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', servername: 'db' });
    expect((await connectionSettings('s', resource({ url: 'postgres://a:b@h/d', ssl: true }), secrets)).settings.ssl).toEqual({ rejectUnauthorized: true });
    expect((await connectionSettings('s', resource({ url: 'postgres://a:b@h/d?sslmode=verify-full' }), secrets)).settings.ssl).toEqual({ rejectUnauthorized: true });
    const mysql = resourceSchema.parse({ type: 'mysql', url: 'mysql://a:b@h/d?ssl-mode=REQUIRED' }) as SqlResource;
    expect((await connectionSettings('m', mysql, secrets)).settings.ssl).toEqual({ rejectUnauthorized: false });
  });

  it('fail on a CA that is neither PEM nor a file, without quoting it', async () => {
    await expect(connectionSettings('s', resource({ url: 'postgres://a:b@h/d', ssl: { ca: '/no/such/ca.pem' } }), secrets)).rejects.toThrow(
      'resource "s": ssl.ca is neither PEM text nor a readable file',
    );
  });

  it('change their fingerprint when a secret changes, and only then', async () => {
    const env = { BATON_SECRET_PW: 'one-value' };
    const rotating = new Secrets({ env });
    const shop = resource({ url: 'postgres://app:{{ secret:PW }}@h/d' });
    const first = (await connectionSettings('shop', shop, rotating)).fingerprint;
    expect((await connectionSettings('shop', shop, rotating)).fingerprint).toBe(first);
    env.BATON_SECRET_PW = 'two-value';
    expect((await connectionSettings('shop', shop, rotating)).fingerprint).not.toBe(first);
  });
});
