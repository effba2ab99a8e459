/**
 * Copies installed packages, with what they load at run time, out of a
 * node_modules tree, for an image's final stage (worker/Dockerfile,
 * functions/Dockerfile): the packages a bundle leaves external come from the
 * lockfile's `npm ci`, at exactly its versions, and nothing else comes along.
 *   node --import tsx scripts/copy-packages.ts OUT_DIR PACKAGE...
 * writes OUT_DIR/node_modules/... for each PACKAGE and its `dependencies`
 * and installed `optionalDependencies`, resolved as Node resolves them, in
 * the same layout. Build-time parts of known native packages (sources,
 * other platforms' binaries) are left behind: see RUN_TIME_ONLY.
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';

interface Manifest {
  readonly name: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
}

/** Paths inside a package (relative to its folder) that its run time never reads. */
type Trim = (path: string) => boolean;

const RUST_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64' };
const RUST_PLATFORM: Record<string, string> = { linux: 'unknown-linux-gnu', darwin: 'apple-darwin', win32: 'pc-windows-msvc' };
/** The SDK core's name for this platform (its common.js getPrebuiltTargetName). */
const CORE_BRIDGE_TARGET = `${RUST_ARCH[arch()] ?? arch()}-${RUST_PLATFORM[platform()] ?? platform()}`;

/**
 * The native packages' build inputs, and the binaries of the platforms an
 * image is not: the build stage runs on the image's own platform, so this
 * machine's is the one kept.
 */
export const RUN_TIME_ONLY: Readonly<Record<string, Trim>> = {
  // Loads releases/<target>/index.node (common.js getPrebuiltPath); the Rust sources build it.
  '@temporalio/core-bridge': (path) =>
    /^(sdk-core|src|bridge-macros|scripts|ts|Cargo\.(toml|lock))(\/|$)/.test(path) ||
    (/^releases\/[^/]+/.test(path) && !path.startsWith(`releases/${CORE_BRIDGE_TARGET}`)),
  // node-gyp-build loads prebuilds/<platform>-<arch>/; the C++ sources and vendored V8 headers build it.
  'isolated-vm': (path) =>
    /^(src|vendor|native-example|scripts)(\/|$)/.test(path) ||
    /\.tgz$/.test(path) ||
    (/^prebuilds\/[^/]+/.test(path) && !path.startsWith(`prebuilds/${platform()}-${arch()}`)),
};

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** The folder `name` resolves to from `fromDir`, walking up node_modules folders as Node does, not above `root`. */
function resolvePackage(name: string, fromDir: string, root: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** Every package folder `names` need at run time, from `root` (the folder holding node_modules). */
export function runTimeClosure(root: string, names: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string, fromDir: string, optional: boolean, by: string) => {
    const dir = resolvePackage(name, fromDir, root);
    if (!dir) {
      if (optional) return;
      throw new Error(`${name} (needed by ${by}) is not installed under ${root}`);
    }
    if (found.has(dir)) return;
    found.add(dir);
    const manifest = readManifest(dir);
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir, false, manifest.name);
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dep, dir, true, manifest.name);
  };
  for (const name of names) visit(name, root, false, 'the image');
  return [...found].sort();
}

/** Copies the closure into `outDir` (its node_modules/... paths kept); returns the package folders copied, relative to root. */
export function copyPackages(root: string, names: readonly string[], outDir: string): string[] {
  const dirs = runTimeClosure(root, names);
  for (const dir of dirs) {
    const rel = relative(root, dir);
    const trim = RUN_TIME_ONLY[readManifest(dir).name];
    cpSync(dir, join(outDir, rel), {
      recursive: true,
      // A nested node_modules holds packages of their own, copied (or not) as those.
      filter: (source) => {
        const inside = relative(dir, source).split(sep).join('/');
        if (inside === '') return true;
        if (inside === 'node_modules' || inside.startsWith('node_modules/')) return false;
        return !trim?.(inside);
      },
    });
  }
  return dirs.map((dir) => relative(root, dir));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const [outDir, ...names] = process.argv.slice(2);
  if (!outDir || names.length === 0) {
    console.error('usage: copy-packages.ts OUT_DIR PACKAGE...');
    process.exit(2);
  }
  const copied = copyPackages(process.cwd(), names, resolve(outDir));
  console.error(`copied ${copied.length} packages for ${names.join(', ')} into ${resolve(outDir)}/node_modules`);
}
