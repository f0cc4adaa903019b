import { describe, expect, it } from 'vitest';
import { applyAdministrativeFixes, extractCode, uniqueName } from '../../../engine/architect/extract.js';

const MODEL = 'import torch\nimport torch.nn as nn\n\nclass Model(nn.Module):\n    def forward(self, x):\n        return x\n';

describe('extractCode', () => {
  it('takes a fenced python block and ignores prose around it', () => {
    expect(extractCode(`Sure! Here it is:\n\n\`\`\`python\n${MODEL}\`\`\`\n\nThis model is great.`)).toBe(MODEL);
  });

  it('accepts py and untagged fences', () => {
    expect(extractCode(`\`\`\`py\n${MODEL}\`\`\``)).toBe(MODEL);
    expect(extractCode(`\`\`\`\n${MODEL}\`\`\``)).toBe(MODEL);
  });

  it('picks the block that defines class Model among several', () => {
    const reply = `First the helper:\n\`\`\`python\nimport torch\nx = torch.zeros(3)\n\`\`\`\nUsage:\n\`\`\`bash\npython train.py\n\`\`\`\nModel:\n\`\`\`python\n${MODEL}\`\`\``;
    expect(extractCode(reply)).toBe(MODEL);
  });

  it('appends a SEARCH_SPACE given in a block of its own', () => {
    const code = extractCode(`\`\`\`python\n${MODEL}\`\`\`\nand\n\`\`\`python\nSEARCH_SPACE = {"hidden": [32, 64]}\n\`\`\``);
    expect(code).toContain('class Model');
    expect(code).toMatch(/SEARCH_SPACE = \{"hidden": \[32, 64\]\}\n$/);
  });

  it('strips <think> sections, even ones with code in them', () => {
    const reply = `<think>Maybe:\n\`\`\`python\nclass Model(nn.Module): pass\n\`\`\`\nno, better with forward.</think>\n\`\`\`python\n${MODEL}\`\`\``;
    expect(extractCode(reply)).toBe(MODEL);
  });

  it('reads unfenced code and stops at trailing prose', () => {
    expect(extractCode(`Here you go.\n${MODEL}\nSEARCH_SPACE = {}\nThis uses a residual design.`)).toBe(`${MODEL}\nSEARCH_SPACE = {}\n`);
  });

  it('normalises CRLF and leading tabs', () => {
    const reply = '```python\r\nimport torch.nn as nn\r\nclass Model(nn.Module):\r\n\tdef forward(self, x):\r\n\t\treturn x   \r\n```';
    expect(extractCode(reply)).toBe('import torch.nn as nn\nclass Model(nn.Module):\n    def forward(self, x):\n        return x\n');
  });

  it('keeps the code of a reply truncated inside its block', () => {
    expect(extractCode(`\`\`\`python\n${MODEL}`)).toBe(MODEL);
  });

  it('returns null when there is no code', () => {
    expect(extractCode('I would suggest an LSTM with two layers.')).toBeNull();
    expect(extractCode('<think>class Model(nn.Module): pass</think>')).toBeNull();
  });
});

describe('applyAdministrativeFixes', () => {
  it('renames the only nn.Module subclass to Model and keeps its name as the suggestion', () => {
    const r = applyAdministrativeFixes('class WaveNet(nn.Module):\n    def __init__(self):\n        super(WaveNet, self).__init__()\nSEARCH_SPACE = {}\n');
    expect(r.code).toContain('class Model(nn.Module):');
    expect(r.code).toContain('super(Model, self)');
    expect(r.name).toBe('WaveNet');
    expect(r.fixes).toEqual(["renamed class WaveNet to Model (the contract's class name)"]);
  });

  it('renames the top-level module when there are helpers', () => {
    const code = 'class Block(nn.Module):\n    def __init__(self, ch):\n        pass\n\nclass Net(nn.Module):\n    def __init__(self, seq_len, pred_len, enc_in):\n        self.b = Block(4)\nSEARCH_SPACE = {}\n';
    const r = applyAdministrativeFixes(code);
    expect(r.code).toContain('class Block(nn.Module)');
    expect(r.code).toContain('class Model(nn.Module)');
  });

  it('leaves ambiguous code for the validator to report', () => {
    const code = 'class A(nn.Module):\n    pass\n\nclass B(nn.Module):\n    pass\nSEARCH_SPACE = {}\n';
    expect(applyAdministrativeFixes(code).code).toBe(code);
  });

  it('adds a missing SEARCH_SPACE and suffixes a taken name', () => {
    const r = applyAdministrativeFixes('# Name: TinyNet\nclass Model(nn.Module):\n    pass\n', { existingNames: ['tinynet', 'TinyNet_2'] });
    expect(r.code).toMatch(/\nSEARCH_SPACE = \{\}\n$/);
    expect(r.name).toBe('TinyNet_3');
    expect(r.fixes).toEqual(['added an empty SEARCH_SPACE', 'name TinyNet is taken; using TinyNet_3']);
  });

  it('uniqueName returns the base when free', () => {
    expect(uniqueName('A', ['B'])).toBe('A');
  });
});
