/**
 * The runner's environment: which interpreter, whether bubblewrap works here, and (for
 * server_info / doctor) what torch, CUDA and the sandbox layers look like from inside. Probing
 * runs no model code.
 */
import { GenAutoMLError } from '../errors.js';
import type { Logger } from '../log.js';
import { bwrapWorks, findBwrap, probePythonLayout, type PythonLayout } from './sandbox.js';
import type { Staging } from './staging.js';
import type { EnvironmentInfo } from './types.js';

export interface Setup {
  layout: PythonLayout;
  bwrap: string | null;
  mode: 'bwrap' | 'unsandboxed' | 'unavailable';
  bwrapError: string | null;
}

export interface EnvironmentOptions {
  python: string;
  bwrap: string | null | undefined;
  runAsNobody: boolean;
  allowUnsandboxed: boolean;
  staging: Staging;
  log: Logger;
}

/** Finds the interpreter and decides the sandbox mode once; a failed interpreter probe may be retried. */
export class Environment {
  private setupP: Promise<Setup> | null = null;

  constructor(private readonly o: EnvironmentOptions) {}

  setup(): Promise<Setup> {
    this.setupP ??= (async () => {
      let layout: PythonLayout;
      try {
        layout = await probePythonLayout(this.o.python);
      } catch (e) {
        this.setupP = null; // allow a retry after the operator fixes the interpreter
        throw new GenAutoMLError('runner.unavailable', `cannot run the Python interpreter ${this.o.python}: ${e instanceof Error ? e.message.slice(0, 500) : String(e)}`, {
          hint: 'Install python3 with torch (Debian: python3-torch) or set GENAUTOML_PYTHON.',
          cause: e,
        });
      }
      await this.o.staging.ensureRoot();
      const bwrap = await findBwrap(this.o.bwrap);
      let bwrapError: string | null = bwrap ? null : 'bwrap not found';
      if (bwrap) {
        const works = await bwrapWorks(bwrap, this.o.runAsNobody);
        if (!works.ok) bwrapError = works.error ?? 'bwrap failed';
      }
      const mode = bwrap && !bwrapError ? 'bwrap' : this.o.allowUnsandboxed ? 'unsandboxed' : 'unavailable';
      if (mode === 'unsandboxed') {
        this.o.log.warn('running untrusted model code WITHOUT bubblewrap (GENAUTOML_ALLOW_UNSANDBOXED): only the static policy and rlimits protect this host', { bwrapError });
      }
      return { layout, bwrap: mode === 'bwrap' ? bwrap : null, mode, bwrapError };
    })();
    return this.setupP;
  }

  /** The base of server_info's environment before the in-sandbox probe fills in torch and CUDA. */
  async base(): Promise<{ info: EnvironmentInfo; setup: Setup | null }> {
    const bwrapPath = await findBwrap(this.o.bwrap);
    const info: EnvironmentInfo = {
      python: this.o.python,
      pythonVersion: null,
      torchVersion: null,
      numpyVersion: null,
      onnxVersion: null,
      cudaAvailable: false,
      cudaDevice: null,
      device: 'cpu',
      bwrap: bwrapPath,
      sandbox: 'unavailable',
      seccomp: null,
      error: null,
    };
    try {
      const s = await this.setup();
      info.pythonVersion = s.layout.version;
      info.sandbox = s.mode;
      info.bwrap = s.mode === 'bwrap' ? s.bwrap : bwrapPath;
      return { info, setup: s };
    } catch (e) {
      return { info: { ...info, error: e instanceof Error ? e.message : String(e) }, setup: null };
    }
  }
}
