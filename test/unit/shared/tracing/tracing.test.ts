import { describe, expect, it } from 'vitest';
import { otlpHeaders, tracesUrlFromEnv } from '../../../../shared/tracing/index.ts';

describe('the tracing settings', () => {
  it('trace to the OTLP endpoint the standard settings name, and not at all without one', () => {
    expect(tracesUrlFromEnv({})).toBeUndefined();
    expect(tracesUrlFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toBe('http://collector:4318/v1/traces');
    expect(tracesUrlFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://b/traces' })).toBe('https://b/traces');
    expect(tracesUrlFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracesUrlFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('name a bad endpoint', () => {
    expect(() => tracesUrlFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/);
  });

  it('read the exporter headers as key=value pairs, percent-decoded', () => {
    expect(otlpHeaders('authorization=Bearer%20abc, x-team = ops,broken,=nokey')).toEqual({ authorization: 'Bearer abc', 'x-team': 'ops' });
    expect(otlpHeaders(undefined)).toEqual({});
  });
});
