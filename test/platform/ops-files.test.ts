import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SETTING_NAMES, loadConfig } from '../../src/platform/config.js';
import { WEB_NODE_FLAGS } from '../../bench/_support.js';

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, { environment?: Record<string, string>; healthcheck?: unknown; depends_on?: Record<string, { condition: string }>; command?: string[]; image?: string; build?: unknown }>;
};

describe('docker-compose.yml', () => {
  it('runs app, worker, postgres, redis and minio, with a bucket created on first start', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['app', 'worker', 'postgres', 'redis', 'minio', 'minio-init']));
    expect(JSON.stringify(compose.services['minio-init']!.command)).toContain('mc mb --ignore-existing local/echoes');
  });

  it('gives every long-running service a health check', () => {
    for (const name of ['app', 'worker', 'postgres', 'redis', 'minio']) {
      expect(compose.services[name]!.healthcheck, name).toBeTruthy();
    }
  });

  it('points the app and the worker at the compose services, with settings the app knows', () => {
    for (const name of ['app', 'worker']) {
      const env = compose.services[name]!.environment!;
      expect(env.DATABASE_URL).toMatch(/@postgres:5432\/echoes$/);
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.S3_ENDPOINT).toBe('http://minio:9000');
      expect(env.S3_BUCKET).toBe('echoes');
      for (const key of Object.keys(env)) expect(SETTING_NAMES, `${name}.${key}`).toContain(key);
    }
    expect(compose.services.app!.environment!.RUN_WORKERS).toBe('false');
    // Both run what `npm run build` compiled to dist/ (decision 0028), as `npm start` and `npm run worker` do.
    expect(compose.services.worker!.command).toEqual(['node', 'dist/src/worker-main.js']);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.worker).toBe('node dist/src/worker-main.js');
    // The web process runs with the same Node flags everywhere (a larger young generation: decision 0036).
    const web = ['node', ...WEB_NODE_FLAGS, 'dist/src/server.js'];
    expect(compose.services.app!.command).toEqual(web);
    expect(readFileSync('Dockerfile', 'utf8')).toContain(`CMD ${JSON.stringify(web).replace(/,/g, ', ')}`);
    expect(JSON.parse(readFileSync('package.json', 'utf8')).scripts.start).toBe(web.join(' '));
    expect(compose.services.app!.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
      'minio-init': { condition: 'service_completed_successfully' },
    });
  });
});

describe('settings', () => {
  it('.env.example lists every setting, each under a comment of its own', () => {
    const lines = readFileSync('.env.example', 'utf8').split('\n');
    for (const name of SETTING_NAMES) {
      const at = lines.findIndex((l) => l.startsWith(`${name}=`));
      expect(at, name).toBeGreaterThan(0);
      expect(lines[at - 1], `the line above ${name}`).toMatch(/^# \S/);
    }
  });

  it('stops with one line naming a bad setting', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^Invalid setting PORT/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
    expect(() => loadConfig({ S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow(/S3_ACCESS_KEY_ID/);
    const secret = 's'.repeat(40);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, STRIPE_SECRET_KEY: 'sk_test_x' })).toThrow(/^Invalid setting STRIPE_WEBHOOK_SECRET/);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: secret, STRIPE_SECRET_KEY: 'sk_test_x', STRIPE_WEBHOOK_SECRET: 'whsec_x' }).stripeEnabled).toBe(true);
  });

  it('defaults to local storage and the local provider with no configuration', () => {
    const c = loadConfig({});
    expect(c.S3_ENDPOINT).toBeUndefined();
    expect(c.activeProvider).toBe('local');
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/echoes');
    expect(loadConfig({ RUNWAY_API_KEY: 'key_x' }).activeProvider).toBe('runway');
  });
});
