/**
 * `genautoml demo`: the whole pipeline end to end on the embedded defaults. The pipeline's stages
 * land with later issues; until then the demo says which exist and stops there.
 */
import { TOOLS } from '../../tools/index.js';

interface Stage {
  name: string;
  tool: string;
  what: string;
}

const STAGES: Stage[] = [
  { name: 'load', tool: 'load_dataset', what: 'ingest ETTh1 and prepare train/val/test splits' },
  { name: 'eda', tool: 'eda', what: 'exploratory analysis with plots' },
  { name: 'generate', tool: 'generate_model', what: 'the neural architect writes a model from a plain-language request' },
  { name: 'validate', tool: 'validate_model', what: 'run the generated code in the sandbox and check the contract' },
  { name: 'search', tool: 'search', what: 'train baselines and generated models side by side' },
  { name: 'report', tool: 'study_report', what: 'leaderboard, plots and the winning model with exports' },
];

export function runDemo(write: (line: string) => void = (l) => console.log(l)): void {
  const available = new Set(TOOLS.map((t) => t.name));
  write('genautoml demo: the pipeline end to end on the embedded defaults.');
  write('');
  for (const s of STAGES) write(`  ${available.has(s.tool) ? '[ready]  ' : '[pending]'} ${s.name.padEnd(9)} ${s.what}`);
  write('');
  const ready = STAGES.filter((s) => available.has(s.tool)).length;
  write(
    ready === STAGES.length
      ? 'All stages are available.'
      : `${ready} of ${STAGES.length} stages exist so far; the demo stops here. Try \`genautoml info\` and \`genautoml list_datasets\`.`,
  );
}
