import { describe, expect, it } from 'vitest';
import { GenAutoMLError } from '../../../engine/errors.js';
import { allowedHosts, allowedOrigins, checkBearer, checkHttpConfig, hostAllowed, type HttpConfig, isLoopbackHost, originAllowed } from '../../../server/http/security.js';

const base: HttpConfig = {
  httpHost: '127.0.0.1',
  httpPort: 8787,
  httpToken: 'a-token-of-sixteen-chars',
  httpAuth: 'required',
  httpAllowedOrigins: [],
  httpAllowedHosts: undefined,
};

describe('HTTP gatekeeping', () => {
  it('recognises loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'api.localhost']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.4', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('requires a token unless auth is disabled on loopback', () => {
    expect(() => checkHttpConfig(base)).not.toThrow();
    expect(() => checkHttpConfig({ ...base, httpToken: undefined, httpAuth: 'disabled' })).not.toThrow();
    const noToken = (() => {
      try {
        checkHttpConfig({ ...base, httpToken: undefined });
      } catch (e) {
        return e as GenAutoMLError;
      }
    })();
    expect(noToken).toBeInstanceOf(GenAutoMLError);
    expect(noToken?.code).toBe('config.invalid');
    expect(noToken?.message).toMatch(/GENAUTOML_HTTP_TOKEN/);
    expect(() => checkHttpConfig({ ...base, httpAuth: 'disabled', httpHost: '0.0.0.0' })).toThrow(/loopback/);
  });

  it('accepts only the loopback names with the bound port by default on loopback', () => {
    const hosts = allowedHosts(base, 4321);
    expect(hostAllowed('127.0.0.1:4321', hosts)).toBe(true);
    expect(hostAllowed('LOCALHOST:4321', hosts)).toBe(true);
    expect(hostAllowed('[::1]:4321', hosts)).toBe(true);
    expect(hostAllowed('localhost:9999', hosts)).toBe(false);
    expect(hostAllowed('evil.example:4321', hosts)).toBe(false);
    expect(hostAllowed(undefined, hosts)).toBe(false);
  });

  it('accepts any Host on a non-loopback bind unless a list is configured', () => {
    expect(allowedHosts({ ...base, httpHost: '0.0.0.0' }, 80)).toBeNull();
    expect(hostAllowed('anything:1', null)).toBe(true);
    const listed = allowedHosts({ ...base, httpHost: '0.0.0.0', httpAllowedHosts: ['mcp.example.com', 'Other:8080'] }, 80);
    expect(hostAllowed('mcp.example.com:443', listed)).toBe(true);
    expect(hostAllowed('mcp.example.com', listed)).toBe(true);
    expect(hostAllowed('other:8080', listed)).toBe(true);
    expect(hostAllowed('other:8081', listed)).toBe(false);
  });

  it('passes requests without Origin and checks the ones with it', () => {
    expect(originAllowed(undefined, [])).toBe(true);
    expect(originAllowed('https://evil.example', [])).toBe(false);
    expect(originAllowed('https://App.example', ['https://app.example/'])).toBe(true);
    expect(originAllowed('null', ['https://app.example'])).toBe(false);
  });

  it('accepts the server’s own loopback origins on a loopback bind, and only there', () => {
    const own = allowedOrigins(base, 4321);
    expect(originAllowed('http://127.0.0.1:4321', own)).toBe(true);
    expect(originAllowed('http://localhost:4321', own)).toBe(true);
    expect(originAllowed('http://[::1]:4321', own)).toBe(true);
    expect(originAllowed('http://localhost:9999', own)).toBe(false);
    expect(originAllowed('http://evil.example.com', own)).toBe(false);
    expect(allowedOrigins({ ...base, httpHost: '0.0.0.0', httpAllowedOrigins: ['https://app.example'] }, 4321)).toEqual(['https://app.example']);
  });

  it('checks the bearer token', () => {
    expect(checkBearer(undefined, 'secret-token-123456')).toBe('missing');
    expect(checkBearer('Basic abc', 'secret-token-123456')).toBe('missing');
    expect(checkBearer('Bearer wrong', 'secret-token-123456')).toBe('invalid');
    expect(checkBearer('Bearer secret-token-1234567', 'secret-token-123456')).toBe('invalid');
    expect(checkBearer('bearer secret-token-123456', 'secret-token-123456')).toBe('ok');
  });
});
