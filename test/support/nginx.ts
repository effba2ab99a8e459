/**
 * nginx (Debian packages, scripts/install-nginx.sh) as a TLS-terminating proxy
 * in front of the Temporal dev server, standing in for a self-hosted cluster
 * with mTLS or for Temporal Cloud:
 *
 * - mtls:    stream proxy, `ssl_verify_client on` against the given client CA bundle
 * - tls:     stream proxy, server certificate only
 * - api-key: HTTP/2 + grpc_pass, refusing calls without `Authorization: Bearer <key>`
 *
 * A missing nginx is installed once; if that fails the test fails loudly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, isListening } from '../../local/free-port.ts';
import type { CertFiles } from './certs.ts';

const STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

function nginxBinary(): string {
  const find = () => spawnSync('bash', ['-c', 'command -v nginx'], { encoding: 'utf8' }).stdout.trim();
  if (!find() || !existsSync(STREAM_MODULE)) {
    spawnSync('bash', [join(import.meta.dirname, '..', '..', 'scripts', 'install-nginx.sh')], { stdio: 'inherit' });
  }
  const path = find();
  if (!path || !existsSync(STREAM_MODULE)) {
    throw new Error(`nginx with ${STREAM_MODULE} not found: run scripts/install-nginx.sh`);
  }
  return path;
}

export interface ProxyConfig {
  readonly upstream: string;
  readonly server: CertFiles;
  /** PEM bundle of the CAs whose client certificates are accepted (mtls). */
  readonly clientCaBundle: string;
  readonly apiKey: string;
}

export interface TlsProxy {
  readonly mtlsAddress: string;
  readonly tlsAddress: string;
  readonly apiKeyAddress: string;
  /** Stops nginx (dropping every connection) and starts it again with a new client CA bundle. */
  restart(clientCaBundle: string): Promise<void>;
  errorLog(): string;
  stop(): Promise<void>;
}

function configText(dir: string, ports: { mtls: number; tls: number; apiKey: number }, config: ProxyConfig): string {
  const tlsFiles = `ssl_certificate ${config.server.cert}; ssl_certificate_key ${config.server.key};`;
  return `
load_module ${STREAM_MODULE};
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 256; }
stream {
  server {
    listen 127.0.0.1:${ports.mtls} ssl;
    ${tlsFiles}
    ssl_client_certificate ${config.clientCaBundle};
    ssl_verify_client on;
    ssl_alpn h2;
    proxy_pass ${config.upstream};
  }
  server {
    listen 127.0.0.1:${ports.tls} ssl;
    ${tlsFiles}
    ssl_alpn h2;
    proxy_pass ${config.upstream};
  }
}
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${ports.apiKey} ssl http2;
    ${tlsFiles}
    location / {
      if ($http_authorization != "Bearer ${config.apiKey}") { return 401; }
      # Long polls wait up to about a minute for a task.
      grpc_read_timeout 300s;
      grpc_send_timeout 300s;
      grpc_pass grpc://${config.upstream};
    }
  }
}
`;
}

export async function startTlsProxy(dir: string, config: ProxyConfig): Promise<TlsProxy> {
  const binary = nginxBinary();
  const ports = { mtls: await freePort(), tls: await freePort(), apiKey: await freePort() };
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (current: ProxyConfig) => {
    const confPath = join(dir, 'nginx.conf');
    writeFileSync(confPath, configText(dir, ports, current));
    let stderr = '';
    const proc = spawn(binary, ['-p', dir, '-e', join(dir, 'error.log'), '-c', confPath, '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child = proc;
    exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + 15_000;
    for (const port of Object.values(ports)) {
      while (!(await isListening('127.0.0.1', port))) {
        if (proc.exitCode !== null || Date.now() > deadline) {
          throw new Error(`nginx did not start: ${stderr.trim() || 'no output'}; ${readLog()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const readLog = () => (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '');
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM'); // fast shutdown: every connection is closed
    await exited;
  };

  await start(config);
  return {
    mtlsAddress: `127.0.0.1:${ports.mtls}`,
    tlsAddress: `127.0.0.1:${ports.tls}`,
    apiKeyAddress: `127.0.0.1:${ports.apiKey}`,
    async restart(clientCaBundle) {
      await stop();
      await start({ ...config, clientCaBundle });
    },
    errorLog: readLog,
    stop,
  };
}
