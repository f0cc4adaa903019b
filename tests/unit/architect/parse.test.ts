import { describe, expect, it } from 'vitest';
import { parseParamLimit, parseRequest } from '../../../engine/architect/offline/parse.js';

const facts = { nFeatures: 7 };

describe('parseRequest', () => {
  it.each([
    ['design a lightweight inception model', 'inception'],
    ['a bidirectional LSTM', 'recurrent'],
    ['GRU please', 'recurrent'],
    ['a dilated TCN', 'tcn'],
    ['a temporal convolutional network', 'tcn'],
    ['a CNN', 'convolutional'],
    ['a ResNet', 'residual'],
    ['a transformer', 'transformer'],
    ['something with attention', 'transformer'],
    ['an MLP-Mixer', 'mixer'],
    ['a plain MLP', 'mlp'],
    ['DLinear', 'linear'],
    ['a fourier model', 'fourier'],
    ['model the periodic behaviour', 'fourier'],
    ['a novel architecture using wave interference patterns to model multivariate time series', 'wave'],
  ])('%s → %s', (request, family) => {
    expect(parseRequest(request, facts).family).toBe(family);
  });

  it('takes the first family named and keeps the rest as modifiers', () => {
    const i = parseRequest('an LSTM with attention, bidirectional, deep, dropout 0.3', facts);
    expect(i).toMatchObject({ family: 'recurrent', attention: true, bidirectional: true, depth: 'deep', dropout: 0.3, rnnCell: 'lstm' });
  });

  it('reads size words, multi-scale, dilation and the interference idea', () => {
    expect(parseRequest('a tiny multi-scale dilated CNN', facts)).toMatchObject({ size: 'tiny', multiScale: true, dilated: true });
    expect(parseRequest('a lightweight inception model', facts).size).toBe('small');
    expect(parseRequest('wave interference', facts).interference).toBe(true);
    expect(parseRequest('a non-linear model', facts).family).not.toBe('linear');
  });

  it('defaults by the data when no family is named', () => {
    expect(parseRequest('something good', facts).family).toBe('mixer');
    expect(parseRequest('something good', { nFeatures: 1 }).family).toBe('mlp');
    expect(parseRequest('something tiny', facts).family).toBe('linear');
  });
});

describe('parseParamLimit', () => {
  it.each([
    ['under 50k parameters', 50_000],
    ['less than 50k params', 50_000],
    ['fewer than 20,000 parameters', 20_000],
    ['at most 1.5M parameters', 1_500_000],
    ['< 3000 params', 3000],
    ['no more than 10 thousand weights', 10_000],
    ['100k params max', 100_000],
    ['a model with 5 layers', null],
  ])('%s → %s', (text, n) => {
    expect(parseParamLimit(text)).toBe(n);
  });
});
