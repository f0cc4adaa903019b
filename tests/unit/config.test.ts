import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDirectories, loadConfig, resolveLlmProvider, SETTINGS } from '../../engine/config.js';
import { GenAutoMLError } from '../../engine/errors.js';

describe('configuration', () => {
  it('has working defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.databaseUrl).toBeUndefined();
    expect(c.httpHost).toBe('127.0.0.1');
    expect(c.httpPort).toBe(8787);
    expect(c.workerConcurrency).toBe(1);
    expect(resolveLlmProvider(c)).toBe('offline');
    expect(path.isAbsolute(c.home)).toBe(true);
  });

  it('is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      (c as { httpPort: number }).httpPort = 1;
    }).toThrow();
  });

  it('parses numbers, lists and booleans', () => {
    const c = loadConfig({
      GENAUTOML_HTTP_PORT: '9000',
      GENAUTOML_DATA_DIRS: '/data, ./rel ,',
      GENAUTOML_ALLOW_UNSANDBOXED: 'yes',
      DATABASE_URL: 'postgres://u@h:5432/db',
    });
    expect(c.httpPort).toBe(9000);
    expect(c.dataDirs).toEqual(['/data', './rel']);
    expect(dataDirectories(c, '/work')).toEqual(['/data', '/work/rel']);
    expect(c.allowUnsandboxed).toBe(true);
    expect(c.databaseUrl).toBe('postgres://u@h:5432/db');
  });

  it('lists every bad variable in one readable error', () => {
    let err: unknown;
    try {
      loadConfig({ GENAUTOML_HTTP_PORT: 'eighty', DATABASE_URL: 'mysql://x', GENAUTOML_LOG_LEVEL: 'loud', GENAUTOML_HTTP_TOKEN: 'short' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GenAutoMLError);
    const e = err as GenAutoMLError;
    expect(e.code).toBe('config.invalid');
    for (const name of ['GENAUTOML_HTTP_PORT', 'DATABASE_URL', 'GENAUTOML_LOG_LEVEL', 'GENAUTOML_HTTP_TOKEN']) {
      expect(e.message).toContain(name);
    }
    expect(e.details?.problems).toHaveLength(4);
  });

  it('checks combinations of settings', () => {
    expect(() => loadConfig({ GENAUTOML_LLM_PROVIDER: 'groq' })).toThrow(/GROQ_API_KEY/);
    expect(() => loadConfig({ GENAUTOML_LLM_BASE_URL: 'http://127.0.0.1:11434/v1' })).toThrow(/GENAUTOML_LLM_MODEL/);
    const c = loadConfig({ GENAUTOML_LLM_BASE_URL: 'http://127.0.0.1:11434/v1', GENAUTOML_LLM_MODEL: 'llama3' });
    expect(resolveLlmProvider(c)).toBe('openai');
    expect(resolveLlmProvider(loadConfig({ GROQ_API_KEY: 'gsk_x' }))).toBe('groq');
    // Dedicated workers cannot open the embedded database beside the server.
    expect(() => loadConfig({ GENAUTOML_INPROCESS_WORKER: 'false' })).toThrow(/GENAUTOML_INPROCESS_WORKER=false needs DATABASE_URL/);
    expect(loadConfig({ GENAUTOML_INPROCESS_WORKER: 'false', DATABASE_URL: 'postgres://h/db' }).inprocessWorker).toBe(false);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('documents every setting', () => {
    for (const s of Object.values(SETTINGS)) {
      expect(s.env).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(s.description.length).toBeGreaterThan(10);
    }
  });
});
