/** server_info: what this server runs on, so users and assistants can tell what will work here. */
import { z } from 'zod';
import { defineTool, type AnyTool } from './define.js';

/**
 * Built by the registry (tools/index.ts) with a way to read the tool list, so this file does not
 * import the registry that imports it; the list is read when the tool runs, complete by then.
 */
export const serverInfoTool = (listTools: () => readonly AnyTool[]) =>
  defineTool({
    name: 'server_info',
    title: 'Server information',
    description:
      'Reports the genautoml, Node.js, Python and PyTorch versions, the storage mode (embedded PGlite or a PostgreSQL server), the torch device, whether CUDA and bubblewrap were found, the sandbox mode for untrusted model code, and the tool names.',
    input: z.object({}),
    output: z.object({
      genautoml: z.string(),
      node: z.string(),
      python: z.string().nullable().describe('Python version, null when the interpreter did not answer.'),
      pythonPath: z.string().describe('The interpreter the runner uses (GENAUTOML_PYTHON).'),
      torch: z.string().nullable().describe('PyTorch version, null when it could not be imported.'),
      numpy: z.string().nullable(),
      onnx: z.string().nullable().describe('ONNX version, null when ONNX export is unavailable.'),
      storage: z.enum(['pglite', 'postgres']),
      device: z.string().describe('Torch device used for training: "cpu" or "cuda".'),
      cuda: z.boolean(),
      cudaDevice: z.string().nullable().describe('The CUDA device name, when there is one.'),
      bwrap: z.boolean().describe('Whether bubblewrap (bwrap) was found.'),
      sandbox: z.enum(['bwrap', 'unsandboxed', 'unavailable']).describe('How untrusted model code runs: in bubblewrap, without it (operator opt-out), or not at all.'),
      problem: z.string().nullable().describe('Why probing Python or PyTorch failed, when it did.'),
      tools: z.array(z.string()),
    }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    cli: { name: 'info' },
    async handler(_args, ctx) {
      const env = await ctx.app.environment();
      const tools = listTools();
      const data = {
        genautoml: env.genautoml,
        node: env.node,
        python: env.pythonVersion,
        pythonPath: env.python,
        torch: env.torchVersion,
        numpy: env.numpyVersion,
        onnx: env.onnxVersion,
        storage: ctx.app.db.kind,
        device: env.device,
        cuda: env.cudaAvailable,
        cudaDevice: env.cudaDevice,
        bwrap: env.bwrap !== null,
        sandbox: env.sandbox,
        problem: env.error,
        tools: tools.map((t) => t.name),
      };
      const sandboxText = { bwrap: 'bubblewrap', unsandboxed: 'none (operator opt-out)', unavailable: 'unavailable: bwrap not found, untrusted code is refused' }[data.sandbox];
      const lines = [
        `genautoml ${data.genautoml} on Node ${data.node}`,
        `storage: ${data.storage === 'pglite' ? 'embedded PGlite' : 'PostgreSQL server'}`,
        `python: ${data.python ?? 'not found'} (${data.pythonPath}), torch: ${data.torch ?? 'not found'}, device: ${data.device}${data.cudaDevice ? ` (${data.cudaDevice})` : ''}`,
        `sandbox: ${sandboxText}`,
        ...(data.problem ? [`problem: ${data.problem}`] : []),
        `tools: ${data.tools.join(', ')}`,
      ];
      return { data, summary: lines.join('\n') };
    },
  });
