/**
 * `sls package --stage ci` offline (about 30-50 s, so once, in one beforeAll),
 * then its CloudFormation template: cfn-lint, and what README, Deploy and the
 * least-privilege rules promise about functions, roles, the bucket and the
 * worker service.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/openapi.ts';
import { pythonToolPath } from '../support/moto.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const STAGE = 'ci';

interface Resource {
  Type: string;
  Properties: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

let outDir: string;
let template: { Resources: Record<string, Resource>; Outputs: Record<string, unknown> };
let resources: Record<string, Resource>;

/**
 * serverless-esbuild hangs, instead of failing, when esbuild reports an error
 * (a zip function that imports a native module, say). Bundle every zip
 * function first, with the same external list, so such an error fails here
 * in seconds, with esbuild's message.
 */
async function bundleZipFunctions(): Promise<void> {
  const config = parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as {
    functions: Record<string, { handler?: string }>;
    custom: { esbuild: { external: string[] } };
  };
  for (const [name, fn] of Object.entries(config.functions)) {
    if (!fn.handler) continue; // an image function: built by its Dockerfile
    const entry = join(ROOT, `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.ts`);
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      external: config.custom.esbuild.external,
      logLevel: 'silent',
    }).catch((error: Error) => {
      throw new Error(`function ${name} (${entry}) does not bundle as serverless.yml bundles it: ${error.message}`);
    });
    expect(result.errors).toEqual([]);
  }
}

beforeAll(async () => {
  await bundleZipFunctions();
  outDir = mkdtempSync(join(tmpdir(), 'baton-sls-'));
  const result = spawnSync('npx', ['sls', 'package', '--stage', STAGE, '--package', outDir], {
    cwd: ROOT,
    encoding: 'utf8',
    // serverless-esbuild hangs on some build errors instead of failing: bound it.
    timeout: 300_000,
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      // Packaging signs nothing and calls no AWS API; the SDK still wants credentials to exist.
      AWS_ACCESS_KEY_ID: 'offline',
      AWS_SECRET_ACCESS_KEY: 'offline',
    },
  });
  if (result.status !== 0) {
    throw new Error(`sls package failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  template = JSON.parse(readFileSync(join(outDir, 'cloudformation-template-update-stack.json'), 'utf8')) as typeof template;
  resources = template.Resources;
}, 420_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

function ofType(type: string): Array<[string, Resource]> {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

function policyStatements(roleId: string): Statement[] {
  const role = resources[roleId];
  expect(role?.Type).toBe('AWS::IAM::Role');
  return ((role!.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: Statement[] } }>).flatMap((policy) => policy.PolicyDocument.Statement);
}

const actionsOf = (statement: Statement) => [statement.Action].flat();
const json = (value: unknown) => JSON.stringify(value);

describe('sls package --stage ci', () => {
  it('passes cfn-lint (only the framework\'s redundant DependsOn warnings, W3005, are let through)', () => {
    const lint = spawnSync(pythonToolPath('cfn-lint'), ['--format', 'json', '--ignore-checks', 'W3005', '--', join(outDir, 'cloudformation-template-update-stack.json')], {
      encoding: 'utf8',
    });
    const findings = JSON.parse(lint.stdout || '[]') as Array<{ Rule: { Id: string }; Message: string }>;
    expect(findings.map((finding) => `${finding.Rule.Id}: ${finding.Message}`)).toEqual([]);
    expect(lint.status).toBe(0);
  });

  it('has the four functions, stage-named, in the stage VPC, each with a role of its own', () => {
    const functions = Object.fromEntries(ofType('AWS::Lambda::Function').map(([, fn]) => [fn.Properties.FunctionName as string, fn.Properties]));
    expect(Object.keys(functions).sort()).toEqual(['baton-ci-api', 'baton-ci-code-executor', 'baton-ci-codec-server', 'baton-ci-db-connector']);
    const api = functions['baton-ci-api']!;
    const db = functions['baton-ci-db-connector']!;
    const executor = functions['baton-ci-code-executor']!;
    const codec = functions['baton-ci-codec-server']!;
    expect(codec.Handler).toBe('functions/codec-server/handler.handler');
    expect(api.Runtime).toBe('nodejs24.x');
    expect(api.Handler).toBe('functions/api/handler.handler');
    // The executors are one container image pinned by digest (isolated-vm built for the runtime), a handler each.
    for (const [fn, handler] of [[executor, 'code-executor.handler'], [db, 'db-connector.handler']] as const) {
      expect(fn.PackageType).toBe('Image');
      expect(fn.Code.ImageUri).toMatch(/^\d{12}\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/baton-executors@sha256:[0-9a-f]{64}$/);
      expect(fn.ImageConfig).toEqual({ Command: [handler] });
    }
    for (const fn of [api, db, executor, codec]) {
      expect(fn.VpcConfig).toEqual({ SubnetIds: ['subnet-0c10000000000000a', 'subnet-0c10000000000000b'], SecurityGroupIds: ['sg-0c10000000000000a'] });
      expect(fn.Architectures).toEqual(['x86_64']);
    }
    expect([api.Role, executor.Role, db.Role, codec.Role]).toEqual([
      { 'Fn::GetAtt': ['ApiRole', 'Arn'] },
      { 'Fn::GetAtt': ['ExecutorRole', 'Arn'] },
      { 'Fn::GetAtt': ['DbConnectorRole', 'Arn'] },
      { 'Fn::GetAtt': ['CodecServerRole', 'Arn'] },
    ]);
  });

  it('serves the codec server on a function URL of its own, its tokens and key ring read from SSM, nothing else reachable', () => {
    const urls = ofType('AWS::Lambda::Url');
    expect(urls.map(([, url]) => url.Properties)).toEqual([{ AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': ['CodecDashserverLambdaFunction', 'Arn'] } }]);
    const env = (resources.CodecDashserverLambdaFunction!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toMatchObject({ BATON_CODEC_TOKENS_SSM_PARAMETER: '/baton/ci/codec-tokens', BATON_CODEC_CORS_ORIGINS: 'https://cloud.temporal.io' });
    expect(env.BATON_CODEC_TOKENS).toBeUndefined();
    const statements = policyStatements('CodecServerRole');
    expect([...new Set(statements.flatMap(actionsOf).map((action) => action.split(':')[0]))].sort()).toEqual(['ec2', 'logs', 'ssm']);
    const ssm = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('ssm:')));
    expect(ssm.map(actionsOf)).toEqual([['ssm:GetParameters']]);
    expect(json(ssm[0]!.Resource)).toContain('parameter/baton/ci/codec-tokens');
    expect(json(ssm[0]!.Resource)).toContain('parameter/baton/ci/encryption-keys');
    expect((ssm[0]!.Resource as unknown[]).length).toBe(2);
  });

  it('lets the worker invoke exactly the two executors, by ARN, and nothing else invoke anything', () => {
    const invoke = policyStatements('WorkerTaskRole').filter((statement) => actionsOf(statement).some((action) => action.startsWith('lambda:')));
    expect(invoke).toHaveLength(1);
    expect(actionsOf(invoke[0]!)).toEqual(['lambda:InvokeFunction']);
    expect(invoke[0]!.Resource).toEqual([
      { 'Fn::GetAtt': ['CodeDashexecutorLambdaFunction', 'Arn'] },
      { 'Fn::GetAtt': ['DbDashconnectorLambdaFunction', 'Arn'] },
    ]);
    expect(json(invoke[0])).not.toContain('*');
    for (const [roleId] of ofType('AWS::IAM::Role').filter(([id]) => id !== 'WorkerTaskRole')) {
      const all = (resources[roleId]!.Properties.Policies ?? []) as unknown[];
      expect(json(all), roleId).not.toMatch(/"lambda:/);
    }
  });

  it('keeps every role to its own resources: wildcards only where AWS has no resource ARN (VPC network interfaces)', () => {
    expect(ofType('AWS::IAM::Role').length).toBeGreaterThanOrEqual(2);
    for (const [roleId, role] of ofType('AWS::IAM::Role')) {
      for (const statement of policyStatements(roleId)) {
        expect(statement.Effect).toBe('Allow');
        expect(actionsOf(statement).every((action) => !action.endsWith(':*') && action !== '*'), `${roleId} ${json(statement)}`).toBe(true);
        if (statement.Resource === '*') {
          expect(actionsOf(statement).every((action) => /^ec2:(\w+NetworkInterfaces?|\w+PrivateIpAddresses)$/.test(action)), roleId).toBe(true);
        }
      }
      expect(json(role.Properties.ManagedPolicyArns ?? [])).not.toMatch(/AdministratorAccess|FullAccess|PowerUser/);
    }
  });

  it('gives the api Temporal (by network, no IAM) and its store prefix only', () => {
    const statements = policyStatements('ApiRole');
    const services = new Set(statements.flatMap(actionsOf).map((action) => action.split(':')[0]));
    expect([...services].sort()).toEqual(['ec2', 'logs', 's3', 'ssm']);
    const s3 = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));
    expect(s3.map((statement) => actionsOf(statement))).toEqual([['s3:GetObject', 's3:PutObject'], ['s3:ListBucket']]);
    expect(s3[0]!.Resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ResultsBucket', 'Arn'] }, '/results/*']] });
    const logs = statements.find((statement) => actionsOf(statement).includes('logs:PutLogEvents'))!;
    expect(json(logs.Resource)).toContain('log-group:/aws/lambda/baton-ci-api:*');
    const ssm = statements.find((statement) => actionsOf(statement).includes('ssm:GetParameters'))!;
    expect(json(ssm.Resource)).toContain('parameter/baton/ci/encryption-keys');
    expect(json(ssm.Resource)).toContain('parameter/baton/ci/api-keys');
  });

  it('passes secrets by SSM parameter name only, never by value', () => {
    const api = ofType('AWS::Lambda::Function').find(([, fn]) => fn.Properties.FunctionName === 'baton-ci-api')![1];
    const variables = api.Properties.Environment.Variables as Record<string, unknown>;
    expect(variables).toMatchObject({
      BATON_STAGE: 'ci',
      TEMPORAL_NAMESPACE: 'baton-ci',
      TEMPORAL_ADDRESS: 'temporal.ci.internal:7233',
      BATON_ENCRYPTION_KEYS_SSM_PARAMETER: '/baton/ci/encryption-keys',
      BATON_API_KEYS_SSM_PARAMETER: '/baton/ci/api-keys',
      TEMPORAL_TLS_CLIENT_CERT_DATA_SSM_PARAMETER: '/baton/ci/temporal-client-cert',
      TEMPORAL_TLS_CLIENT_KEY_DATA_SSM_PARAMETER: '/baton/ci/temporal-client-key',
    });
    for (const name of ['ENCRYPTION_KEY', 'BATON_ENCRYPTION_KEYS', 'BATON_API_KEYS', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS_CLIENT_KEY_DATA']) {
      expect(variables).not.toHaveProperty(name);
    }
    expect(json(template)).not.toMatch(/BEGIN (EC |RSA )?PRIVATE KEY|resolve:ssm-secure/);
  });

  it('makes the results bucket encrypted, private, TLS-only, its runs expiring after 14 days (versions and definitions kept)', () => {
    const bucket = resources.ResultsBucket!.Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ Status: 'Enabled', Prefix: 'results/runs/', ExpirationInDays: 14, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
    ]);
    const policy = resources.ResultsBucketPolicy!.Properties.PolicyDocument.Statement[0];
    expect(policy).toMatchObject({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  });

  it('runs the worker as a Fargate service: task definition, image by digest, health check, log group, CPU autoscaling', () => {
    const service = resources.WorkerService!.Properties;
    expect(service).toMatchObject({
      ServiceName: 'baton-ci-worker',
      LaunchType: 'FARGATE',
      Cluster: { Ref: 'WorkerCluster' },
      TaskDefinition: { Ref: 'WorkerTaskDefinition' },
      NetworkConfiguration: {
        AwsvpcConfiguration: { AssignPublicIp: 'DISABLED', Subnets: ['subnet-0c10000000000000a', 'subnet-0c10000000000000b'], SecurityGroups: ['sg-0c10000000000000a'] },
      },
    });
    expect(resources.WorkerCluster!.Properties.ClusterName).toBe('baton-ci');

    const task = resources.WorkerTaskDefinition!.Properties;
    expect(task).toMatchObject({ Family: 'baton-ci-worker', RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc', TaskRoleArn: { 'Fn::GetAtt': ['WorkerTaskRole', 'Arn'] } });
    const [container] = task.ContainerDefinitions as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(container!.Image).toMatch(/baton-worker@sha256:[0-9a-f]{64}$/);
    expect(container!.ReadonlyRootFilesystem).toBe(true);
    expect(container!.HealthCheck.Command.join(' ')).toContain('http://127.0.0.1:8080/healthz');
    // Longer than the worker's own shutdown grace (100 s), so in-flight blocks finish before SIGKILL.
    expect(container!.StopTimeout).toBeGreaterThan(100);
    const env = Object.fromEntries((container!.Environment as Array<{ Name: string; Value: unknown }>).map((entry) => [entry.Name, entry.Value]));
    expect(env).toMatchObject({
      BATON_STAGE: 'ci',
      TEMPORAL_NAMESPACE: 'baton-ci',
      BATON_CODE_EXECUTOR_FUNCTION: { Ref: 'CodeDashexecutorLambdaFunction' },
      BATON_DB_CONNECTOR_FUNCTION: { Ref: 'DbDashconnectorLambdaFunction' },
      BATON_ENCRYPTION_KEYS_SSM_PARAMETER: '/baton/ci/encryption-keys',
    });
    expect(container!.LogConfiguration).toMatchObject({ LogDriver: 'awslogs', Options: { 'awslogs-group': { Ref: 'WorkerLogGroup' } } });
    expect(resources.WorkerLogGroup!.Properties).toEqual({ LogGroupName: '/baton/ci/worker', RetentionInDays: 30 });

    expect(resources.WorkerScalableTarget!.Properties).toMatchObject({ ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 2, MaxCapacity: 10 });
    expect(resources.WorkerCpuScaling!.Properties).toMatchObject({
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: 'WorkerScalableTarget' },
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 60, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
    });
  });

  it('keeps every log group for a bounded time', () => {
    const groups = ofType('AWS::Logs::LogGroup').map(([, group]) => group.Properties);
    expect(groups.map((group) => group.LogGroupName).sort()).toEqual([
      '/aws/lambda/baton-ci-api',
      '/aws/lambda/baton-ci-code-executor',
      '/aws/lambda/baton-ci-codec-server',
      '/aws/lambda/baton-ci-db-connector',
      '/baton/ci/worker',
    ]);
    expect(groups.every((group) => group.RetentionInDays === 30)).toBe(true);
  });

  it('routes exactly the API the api function documents (functions/api/openapi.ts) and /ui/ to it', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties.RouteKey as string);
    const documented = Object.entries(openApiDocument.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    // Beside the API, the run viewer's static files (functions/api/ui-assets.ts).
    expect(routes.sort()).toEqual([...documented, 'GET /ui', 'GET /ui/{proxy+}'].sort());
  });

  it('ships the api zip with its bundle, as ESM, and no workflow definitions (it reads the published versions)', () => {
    const listing = spawnSync('unzip', ['-Z1', join(outDir, 'api.zip')], { encoding: 'utf8' }).stdout.split('\n');
    expect(listing).toContain('functions/api/handler.mjs');
    expect(listing.some((name) => name.startsWith('workflows/'))).toBe(false);
    // Built by scripts/serverless-build-ui.js before packaging: the page and its bundles.
    expect(listing).toContain('ui-dist/index.html');
    expect(listing.some((name) => /^ui-dist\/app-[A-Z0-9]+\.js$/.test(name))).toBe(true);
    expect(listing.some((name) => name.startsWith('node_modules/isolated-vm/'))).toBe(false);
  });
});
