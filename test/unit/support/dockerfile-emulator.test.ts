/**
 * The Dockerfile emulator on small Dockerfiles of its own (no npm, seconds):
 * Docker's COPY semantics and .dockerignore, ENV and ARG reaching RUN and the
 * started process, stages copied from one another, OS package steps skipped
 * and listed, and every instruction it cannot emulate refused, not guessed.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emulateDockerfile, type EmulatedImage } from '../../support/dockerfile-emulator.ts';

const context = mkdtempSync(join(tmpdir(), 'baton-emulator-context-'));
const images: EmulatedImage[] = [];
afterAll(async () => {
  await Promise.all(images.map((image) => image.remove()));
  rmSync(context, { recursive: true, force: true });
});

function write(path: string, text: string): void {
  mkdirSync(join(context, path, '..'), { recursive: true });
  writeFileSync(join(context, path), text);
}

write('.dockerignore', 'secret.txt\n**/node_modules\n');
write('app/a.txt', 'a');
write('app/sub/b.txt', 'b');
write('app/node_modules/x/index.js', 'ignored');
write('secret.txt', 'not for images');
write('one.txt', '1');

async function emulate(dockerfile: string): Promise<EmulatedImage> {
  write('Dockerfile', dockerfile);
  const image = await emulateDockerfile(join(context, 'Dockerfile'), { context });
  images.push(image);
  return image;
}

describe('the Dockerfile emulator', () => {
  it("copies as Docker does, through .dockerignore, runs RUN in the WORKDIR with ENV and ARG, and starts CMD with the ENV's root paths mapped", async () => {
    const image = await emulate(`ARG BASE=node:24-bookworm-slim
FROM \${BASE} AS build
ARG GREETING=hello
WORKDIR /src
ENV OUT=made.txt
COPY app ./
COPY one.txt ./copied/
RUN echo "$GREETING from $(pwd | sed 's|.*/src|/src|')" > "$OUT"
FROM \${BASE}
ENV DATA=/srv/data/made.txt
WORKDIR /srv
COPY --from=build /src/made.txt ./data/
COPY --from=build /src/copied ./copied
CMD ["node", "-e", "process.stdout.write(require('fs').readFileSync(process.env.DATA, 'utf8'))"]
`);
    const build = image.stages[0]!;
    // A folder's contents, not the folder; ignored paths left out.
    expect(existsSync(join(build.root, 'src', 'a.txt'))).toBe(true);
    expect(existsSync(join(build.root, 'src', 'sub', 'b.txt'))).toBe(true);
    expect(existsSync(join(build.root, 'src', 'node_modules'))).toBe(false);
    expect(existsSync(join(build.root, 'src', 'copied', 'one.txt'))).toBe(true);
    expect(readFileSync(join(build.root, 'src', 'made.txt'), 'utf8')).toBe('hello from /src\n');
    expect(readFileSync(image.hostPath('/srv/copied/one.txt'), 'utf8')).toBe('1');
    expect(image.processEnv().DATA).toBe(image.hostPath('/srv/data/made.txt'));

    const child = image.start();
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(out).toBe('hello from /src\n');
  });

  it('skips the base image OS package steps and COPY --chown and USER, and lists each', async () => {
    const image = await emulate(`FROM node:24-bookworm-slim
RUN apt-get update && apt-get install -y curl
COPY --chown=node:node one.txt /one.txt
USER node
`);
    expect(image.final.skipped).toEqual([
      "RUN apt-get update && apt-get install -y curl: the base image's OS packages (this machine's stand in)",
      'COPY --chown=node:node: files belong to the user running the emulation',
      'USER node: processes run as the user running the emulation',
    ]);
    expect(readFileSync(image.hostPath('/one.txt'), 'utf8')).toBe('1');
  });

  it.each([
    ['an unknown base image', 'FROM alpine:3\n', /not a base image this emulation knows/],
    ['ADD', 'FROM node:24-bookworm-slim\nADD one.txt /\n', /ADD is not emulated/],
    ['a RUN flag', 'FROM node:24-bookworm-slim\nRUN --mount=type=cache,target=/root/.npm true\n', /RUN --mount is not emulated/],
    ['a RUN mixing OS packages with other steps', 'FROM node:24-bookworm-slim\nRUN apt-get update && npm ci\n', /mixes the base image's package steps/],
    ['a RUN naming an absolute path of the image', 'FROM node:24-bookworm-slim\nWORKDIR /app\nRUN ls /app\n', /names \/app, an absolute path/],
    ['a source .dockerignore excludes', 'FROM node:24-bookworm-slim\nCOPY secret.txt /\n', /excluded by \.dockerignore/],
    ['a COPY wildcard', 'FROM node:24-bookworm-slim\nCOPY *.txt /\n', /wildcards are not emulated/],
    ['a failing RUN', 'FROM node:24-bookworm-slim\nRUN echo broken >&2 && exit 3\n', /failed \(exit 3\)[\s\S]*broken/],
  ])('refuses %s', async (_, dockerfile, message) => {
    await expect(emulate(dockerfile)).rejects.toThrow(message);
  });
});
