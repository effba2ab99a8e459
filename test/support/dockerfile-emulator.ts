/**
 * Builds a Dockerfile without Docker: each stage is carried out in a scratch
 * root of its own (a temp dir standing for the stage's `/`), with this
 * machine's Node and npm in place of the base image's. The Dockerfile is
 * parsed with dockerfile-ast (the parser dockerfile-utils validates with).
 *
 * Carried out: ARG, FROM (a known base image, or an earlier stage), WORKDIR,
 * ENV, COPY (from the build context through .dockerignore, or --from a
 * stage), RUN (its command as written, `/bin/sh -c` for the shell form, in the
 * stage's WORKDIR, with the stage's ENV and ARGs). Recorded for starting the
 * result: CMD, ENTRYPOINT, HEALTHCHECK, STOPSIGNAL, USER, EXPOSE.
 * Skipped, and listed in `skipped`: the base image's own OS package steps
 * (apt-get, apt, dnf, microdnf, yum, apk: this machine's packages stand in)
 * and COPY --chown (the emulation runs as the current user). Anything else
 * (ADD, SHELL, RUN flags, wildcards, a RUN naming an absolute path of the
 * image) stops the emulation with an error rather than being guessed.
 *
 * Paths: the image's absolute paths are the scratch root's. RUN commands
 * must use paths relative to the WORKDIR; ENV values that are absolute paths
 * into the root (BATON_WORKFLOW_BUNDLE=/app/...) are mapped when a process
 * starts. npm runs offline-first from this machine's cache
 * (npm_config_prefer_offline), the one setting added to what the Dockerfile says.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative, sep } from 'node:path';
import { Arg, DockerfileParser, From, JSONInstruction, ModifiableInstruction, type Copy, type Env, type Healthcheck, type Instruction } from 'dockerfile-ast';

/** What this emulation knows of each base image: the environment and WORKDIR it starts a stage with. */
export const BASE_IMAGES: Readonly<Record<string, { readonly env: Readonly<Record<string, string>>; readonly workdir: string; readonly nodeMajor: number }>> = {
  'node:24-bookworm-slim': { env: {}, workdir: '/', nodeMajor: 24 },
  'public.ecr.aws/lambda/nodejs:24': { env: { LAMBDA_TASK_ROOT: '/var/task', LAMBDA_RUNTIME_DIR: '/var/runtime' }, workdir: '/var/task', nodeMajor: 24 },
};

const OS_PACKAGE_TOOLS = /^\s*(apt-get|apt|dnf|microdnf|yum|apk)\s/;

export interface Stage {
  readonly name: string | undefined;
  readonly base: string;
  /** The scratch directory standing for this stage's `/`. */
  readonly root: string;
  workdir: string;
  readonly env: Record<string, string>;
  readonly args: Record<string, string>;
  cmd?: string[];
  entrypoint?: string[];
  healthcheck?: string[];
  stopSignal?: string;
  user?: string;
  readonly exposed: string[];
  /** What was not carried out, and why. */
  readonly skipped: string[];
}

export interface EmulatedImage {
  readonly stages: readonly Stage[];
  readonly final: Stage;
  /** Where an absolute path of the final image is on this machine. */
  hostPath(imagePath: string): string;
  /** The final image's environment as a process in it sees it (ENV, root paths mapped), with `overrides` on top (`docker run -e`). */
  processEnv(overrides?: Record<string, string>): Record<string, string>;
  /** Starts `command` (the image's CMD unless given) in its WORKDIR with processEnv(overrides). */
  start(options?: { command?: readonly string[]; env?: Record<string, string> }): ChildProcess;
  /**
   * Deletes the roots of every stage but the final one (a build stage's
   * node_modules is most of the disk, and deleting it most of the clean-up
   * time): start it as soon as the image is built, and let it run beside the tests.
   */
  removeBuildStages(): Promise<void>;
  /** Deletes everything the emulation wrote. */
  remove(): Promise<void>;
}

export interface EmulateOptions {
  /** The build context (the repository root for Baton's images). */
  readonly context: string;
  readonly buildArgs?: Record<string, string>;
  readonly log?: (line: string) => void;
}

function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    return vars[name] ?? fallback ?? '';
  });
}

/** .dockerignore's patterns (no `!` exceptions: a pattern with one stops the emulation). */
function dockerignore(context: string): (rel: string) => boolean {
  const file = join(context, '.dockerignore');
  const patterns = existsSync(file)
    ? readFileSync(file, 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'))
    : [];
  if (patterns.some((p) => p.startsWith('!'))) throw new Error('.dockerignore exceptions (!) are not emulated');
  return (rel) => {
    const parts = rel.split('/');
    // A pattern that matches a folder excludes all under it.
    return parts.some((_, i) => patterns.some((pattern) => posix.matchesGlob(parts.slice(0, i + 1).join('/'), pattern.replace(/\/+$/, ''))));
  };
}

function hostPathIn(root: string, imagePath: string): string {
  return join(root, posix.normalize(imagePath));
}

/** ENV values that are absolute paths into the root point into it; everything else as written. */
function mapEnv(root: string, env: Record<string, string>): Record<string, string> {
  const mapped: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const top = /^\/([^/:\s]+)/.exec(value)?.[1];
    mapped[name] = top && !value.includes(':') && existsSync(join(root, top)) ? hostPathIn(root, value) : value;
  }
  return mapped;
}

/** A clean environment with this machine's Node and npm standing in for the base image's. */
function baseProcessEnv(): Record<string, string> {
  const npmDir = process.env.npm_execpath ? dirname(process.env.npm_execpath) : undefined;
  const path = [dirname(process.execPath), ...(process.env.PATH ?? '').split(':').filter((dir) => existsSync(join(dir, 'npm'))), npmDir, '/usr/local/bin', '/usr/bin', '/bin'];
  return {
    PATH: [...new Set(path.filter((dir): dir is string => Boolean(dir)))].join(':'),
    HOME: homedir(),
    npm_config_cache: join(homedir(), '.npm'),
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
  };
}

function run(command: readonly string[], cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`RUN ${JSON.stringify(command)} failed (${signal ?? `exit ${code}`}) in ${cwd}:\n${output.slice(-6000)}`));
    });
  });
}

function copyInto(source: string, dest: string, destIsDir: boolean, filter: (path: string) => boolean): void {
  if (!existsSync(source)) throw new Error(`COPY: ${source} does not exist`);
  if (statSync(source).isDirectory()) {
    // A folder's contents go into the destination folder, as Docker copies them.
    mkdirSync(dest, { recursive: true });
    for (const entry of readdirSync(source)) {
      if (filter(join(source, entry))) cpSync(join(source, entry), join(dest, entry), { recursive: true, filter });
    }
    return;
  }
  const target = destIsDir ? join(dest, basename(source)) : dest;
  mkdirSync(dirname(target), { recursive: true });
  cpSync(source, target);
}

const flagsOf = (instruction: Instruction) =>
  instruction instanceof ModifiableInstruction ? Object.fromEntries(instruction.getFlags().map((flag) => [flag.getName(), flag.getValue() ?? ''])) : {};

/** Exec form as its JSON strings; shell form through /bin/sh -c. */
function commandOf(instruction: Instruction, text = instruction.getRawArgumentsContent() ?? ''): string[] {
  if (instruction instanceof JSONInstruction && instruction.getJSONStrings().length > 0) return instruction.getJSONStrings().map((s) => s.getJSONValue());
  return ['/bin/sh', '-c', text.replace(/\\\r?\n/g, ' ')];
}

export async function emulateDockerfile(dockerfile: string, options: EmulateOptions): Promise<EmulatedImage> {
  const log = options.log ?? (() => {});
  const parsed = DockerfileParser.parse(readFileSync(dockerfile, 'utf8'));
  const ignored = dockerignore(options.context);
  const contextFilter = (path: string) => {
    const rel = relative(options.context, path).split(sep).join('/');
    return rel === '' || !ignored(rel);
  };
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'baton-image-'));
  try {
    await carryOut();
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }

  async function carryOut(): Promise<void> {
    for (const instruction of parsed.getInstructions()) {
      const keyword = instruction.getKeyword();
      const stage = stages.at(-1);
      if (!stage && keyword !== 'ARG' && keyword !== 'FROM') throw new Error(`${keyword} before the first FROM`);

      if (instruction instanceof Arg) {
        for (const property of instruction.getProperties()) {
          const name = property.getName();
          const value = options.buildArgs?.[name] ?? (stage ? globalArgs[name] : undefined) ?? property.getUnescapedValue() ?? '';
          if (stage) stage.args[name] = expand(value, { ...stage.args, ...stage.env });
          else globalArgs[name] = value;
        }
        continue;
      }
      if (instruction instanceof From) {
        const image = expand(instruction.getImage() ?? '', globalArgs);
        const from = stages.find((s) => s.name === image);
        const base = from ? from.base : image;
        const known = BASE_IMAGES[base];
        if (!known) throw new Error(`FROM ${image}: not a base image this emulation knows (${Object.keys(BASE_IMAGES).join(', ')}) nor an earlier stage`);
        const nodeMajor = Number(process.versions.node.split('.')[0]);
        if (nodeMajor !== known.nodeMajor) throw new Error(`FROM ${image}: the image has Node ${known.nodeMajor}, this machine's Node (standing in for it) is ${process.versions.node}`);
        const root = mkdtempSync(join(scratch, `stage${stages.length}-`));
        if (from) cpSync(from.root, root, { recursive: true });
        stages.push({
          name: instruction.getBuildStage() ?? undefined,
          base,
          root,
          workdir: from ? from.workdir : known.workdir,
          env: from ? { ...from.env } : { ...known.env },
          args: {},
          exposed: [],
          skipped: [],
        });
        mkdirSync(hostPathIn(root, stages.at(-1)!.workdir), { recursive: true });
        log(`FROM ${image}${instruction.getBuildStage() ? ` AS ${instruction.getBuildStage()}` : ''}: ${root}`);
        continue;
      }
      const s = stage!;
      const vars = { ...s.args, ...s.env };
      const flags = flagsOf(instruction);
      switch (keyword) {
        case 'WORKDIR': {
          s.workdir = posix.resolve(s.workdir, expand(instruction.getArgumentsContent() ?? '', vars));
          mkdirSync(hostPathIn(s.root, s.workdir), { recursive: true });
          break;
        }
        case 'ENV': {
          for (const property of (instruction as Env).getProperties()) s.env[property.getName()] = expand(property.getUnescapedValue() ?? '', { ...s.args, ...s.env });
          break;
        }
        case 'COPY': {
          const unknown = Object.keys(flags).filter((flag) => flag !== 'from' && flag !== 'chown');
          if (unknown.length > 0) throw new Error(`COPY --${unknown.join(', --')} is not emulated`);
          if (flags.chown) s.skipped.push(`COPY --chown=${flags.chown}: files belong to the user running the emulation`);
          const parts = (instruction as Copy).getArguments().map((argument) => expand(argument.getValue(), vars));
          const destText = parts.pop()!;
          if (parts.length === 0) throw new Error(`COPY without a source: ${instruction.getRawArgumentsContent()}`);
          if (parts.some((part) => /[*?[]/.test(part))) throw new Error(`COPY wildcards are not emulated: ${parts.join(' ')}`);
          const dest = hostPathIn(s.root, posix.resolve(s.workdir, destText));
          const destIsDir = destText.endsWith('/') || parts.length > 1 || (existsSync(dest) && statSync(dest).isDirectory());
          const source = flags.from !== undefined ? stages.find((other) => other.name === flags.from) ?? stages[Number(flags.from)] : undefined;
          if (flags.from !== undefined && (!source || source === s)) throw new Error(`COPY --from=${flags.from}: no earlier stage of that name`);
          for (const part of parts) {
            if (source) copyInto(hostPathIn(source.root, posix.resolve('/', part)), dest, destIsDir, () => true);
            else {
              const path = join(options.context, posix.normalize(part));
              if (relative(options.context, path).startsWith('..')) throw new Error(`COPY ${part}: outside the build context`);
              if (!contextFilter(path)) throw new Error(`COPY ${part}: excluded by .dockerignore`);
              copyInto(path, dest, destIsDir, contextFilter);
            }
          }
          break;
        }
        case 'RUN': {
          if (Object.keys(flags).length > 0) throw new Error(`RUN --${Object.keys(flags).join(', --')} is not emulated`);
          const command = commandOf(instruction);
          const text = command.join(' ');
          const steps = command[0] === '/bin/sh' ? command[2]!.split(/&&|;|\|\|/) : [text];
          const osSteps = steps.filter((step) => OS_PACKAGE_TOOLS.test(step));
          if (osSteps.length > 0) {
            if (osSteps.length !== steps.length) throw new Error(`RUN mixes the base image's package steps with others; split it: ${text}`);
            s.skipped.push(`RUN ${text.replace(/^\/bin\/sh -c /, '')}: the base image's OS packages (this machine's stand in)`);
            break;
          }
          for (const top of readdirSync(s.root)) {
            if (new RegExp(`(^|[\\s='"])/${top}(/|[\\s'"]|$)`).test(text)) throw new Error(`RUN names /${top}, an absolute path of the image the emulation does not remap: ${text}`);
          }
          const cwd = hostPathIn(s.root, s.workdir);
          log(`RUN ${text} (in ${cwd})`);
          await run(command, cwd, { ...baseProcessEnv(), ...mapEnv(s.root, { ...s.args, ...s.env }) });
          break;
        }
        case 'CMD':
          s.cmd = commandOf(instruction);
          break;
        case 'ENTRYPOINT':
          s.entrypoint = commandOf(instruction);
          break;
        case 'HEALTHCHECK': {
          const check = instruction as Healthcheck;
          const args = check.getArguments().map((a) => a.getValue());
          if (args[0] === 'CMD') {
            const rest = (check.getRawArgumentsContent() ?? '').replace(/\\\r?\n/g, ' ').replace(/^(\s*--\S+)*\s*CMD\s+/, '');
            s.healthcheck = rest.trim().startsWith('[') ? (JSON.parse(rest) as string[]) : ['/bin/sh', '-c', rest];
          }
          break;
        }
        case 'STOPSIGNAL':
          s.stopSignal = instruction.getArgumentsContent() ?? undefined;
          break;
        case 'USER':
          s.user = instruction.getArgumentsContent() ?? undefined;
          s.skipped.push(`USER ${s.user}: processes run as the user running the emulation`);
          break;
        case 'EXPOSE':
          s.exposed.push(...instruction.getArguments().map((a) => a.getValue()));
          break;
        case 'LABEL':
          break;
        default:
          throw new Error(`${keyword} is not emulated (${dockerfile} line ${instruction.getRange().start.line + 1})`);
      }
    }
  }
  const final = stages.at(-1);
  if (!final) {
    await rm(scratch, { recursive: true, force: true });
    throw new Error(`${dockerfile} has no FROM`);
  }

  const processEnv = (overrides: Record<string, string> = {}) => ({ ...baseProcessEnv(), ...mapEnv(final.root, final.env), ...overrides });
  return {
    stages,
    final,
    hostPath: (imagePath) => hostPathIn(final.root, imagePath),
    processEnv,
    start({ command, env } = {}) {
      const argv = command ?? [...(final.entrypoint ?? []), ...(final.cmd ?? [])];
      if (argv.length === 0) throw new Error('the image has no CMD or ENTRYPOINT');
      // `node` is this machine's Node, standing in for the base image's.
      const executable = argv[0] === 'node' ? process.execPath : argv[0]!;
      return spawn(executable, argv.slice(1), { cwd: hostPathIn(final.root, final.workdir), env: processEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    },
    removeBuildStages: async () => {
      await Promise.all(stages.filter((stage) => stage !== final).map((stage) => rm(stage.root, { recursive: true, force: true })));
    },
    remove: () => rm(scratch, { recursive: true, force: true }),
  };
}
