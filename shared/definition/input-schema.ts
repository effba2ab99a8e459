/**
 * The definition's `input`: a JSON Schema for trigger.data, checked when the
 * definition is validated and used to validate trigger data before a run starts.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { DefinitionIssue } from '../errors/index.ts';

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

export function checkInputSchema(schema: Readonly<Record<string, unknown>> | undefined): DefinitionIssue[] {
  if (!schema) return [];
  if (!ajv.validateSchema(schema)) {
    return (ajv.errors ?? []).map((e) => ({ path: `input${e.instancePath.replaceAll('/', '.')}`, message: `invalid JSON Schema: ${e.message ?? 'invalid'}` }));
  }
  try {
    compiled.set(schema, ajv.compile(schema));
    return [];
  } catch (error) {
    return [{ path: 'input', message: `invalid JSON Schema: ${error instanceof Error ? error.message : String(error)}` }];
  }
}

function describe(error: ErrorObject): string {
  const where = `trigger.data${error.instancePath.replaceAll('/', '.')}`;
  if (error.keyword === 'required') return `${where}.${String(error.params.missingProperty)}: required`;
  if (error.keyword === 'additionalProperties') return `${where}.${String(error.params.additionalProperty)}: not allowed`;
  return `${where}: ${error.message ?? 'invalid'}`;
}

/** Checks trigger data against the schema; returns one message per problem (empty when valid). */
export function checkTriggerData(schema: Readonly<Record<string, unknown>> | undefined, data: unknown): string[] {
  if (!schema) return [];
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate(data) ? [] : (validate.errors ?? []).map(describe);
}
