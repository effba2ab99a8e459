/**
 * Lambda entry point of the codec server, behind an API Gateway HTTP API or a
 * function URL (both send payload format 2.0), through hono's adapter to the
 * app local/codec-server.ts serves too. Settings are read on the first
 * request of a container, secret references resolved without writing to
 * process.env; a bad or unreadable setting is logged by name, answered with
 * a 500, and tried again on the next request.
 */
import { handle } from 'hono/aws-lambda';
import { withSecretRefs } from '../../shared/secrets/secret-refs.ts';
import { HttpError } from '../../shared/errors/index.ts';
import { createCodecApp } from './app.ts';
import { codecServerDepsFromEnv, type CodecServerDeps } from './settings.ts';
import { processLogger } from '../../shared/log/index.ts';

const logger = processLogger('codec server');

let deps: Promise<CodecServerDeps> | undefined;

async function depsFromEnv(): Promise<CodecServerDeps> {
  try {
    return codecServerDepsFromEnv(await withSecretRefs(process.env));
  } catch (error) {
    // A ConfigError's message names the setting, never its value.
    logger.error(error instanceof Error && error.name === 'ConfigError' ? error.message : 'settings unreadable');
    throw new HttpError(500, 'misconfigured', 'the codec server is misconfigured; its log names the setting');
  }
}

export const app = createCodecApp(() => {
  deps ??= depsFromEnv();
  deps.catch(() => {
    deps = undefined;
  });
  return deps;
});

export const handler = handle(app);
