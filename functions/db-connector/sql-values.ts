/**
 * Database values as the JSON users expect (documented in README "Query
 * blocks"), the same from PostgreSQL and MySQL:
 * - integers up to 32 bits and floats: numbers; 64-bit integers and exact
 *   numerics (int8, numeric, BIGINT, DECIMAL): strings, digits kept;
 *   NaN and ±Infinity: the strings "NaN", "Infinity", "-Infinity";
 * - dates: "2024-03-01"; timestamps: ISO 8601, "2024-03-01T12:00:00.123456Z"
 *   with a time zone, without the Z when the column has none;
 *   PostgreSQL intervals: ISO 8601 durations ("P1DT2H");
 * - binary (bytea, BLOB, BINARY, BIT): base64 strings;
 * - json/jsonb (and MySQL JSON): parsed; arrays: arrays of the above.
 */
import pg from 'pg';

export interface Field {
  readonly name: string;
  /** The database's name for the column's type (int8, timestamptz, DECIMAL, ...). */
  readonly type: string;
}

const PG_TIMESTAMP = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::\d\d){0,2})?$/;

/** `2024-03-01 12:00:00.5+00` (DateStyle ISO) as `2024-03-01T12:00:00.5Z`; anything else (infinity, BC) as it is. */
export function isoTimestamp(text: string): string {
  const match = PG_TIMESTAMP.exec(text);
  if (!match) return text;
  const [, date, time, offset] = match;
  if (offset === undefined) return `${date}T${time}`;
  if (/^[+-]00(?::00){0,2}$/.test(offset)) return `${date}T${time}Z`;
  return `${date}T${time}${offset.length === 3 ? `${offset}:00` : offset}`;
}

const keepText = (text: string) => text;
/** node-postgres's parser for text[] (OID 1009, which its TypeId list leaves out): nested arrays of strings. */
const parseTextArray = (pg.types.getTypeParser as (oid: number) => (text: string) => unknown)(1009);

function arrayOf(parse: (text: string) => string): (text: string) => unknown {
  const walk = (item: unknown): unknown => (Array.isArray(item) ? item.map(walk) : typeof item === 'string' ? parse(item) : item);
  return (text) => walk(parseTextArray(text));
}

/** Type parsers that differ from node-postgres's defaults; by OID. */
const PG_OVERRIDES: Record<number, (text: string) => unknown> = {
  1082: keepText, // date: the driver would make a local-midnight Date
  1114: isoTimestamp, // timestamp
  1184: isoTimestamp, // timestamptz
  1186: keepText, // interval: ISO 8601 text (IntervalStyle set per session)
  1182: arrayOf(keepText), // date[]
  1115: arrayOf(isoTimestamp), // timestamp[]
  1185: arrayOf(isoTimestamp), // timestamptz[]
  1187: arrayOf(keepText), // interval[]
  1231: arrayOf(keepText), // numeric[]: the driver would make floats of them
};

export const postgresTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    (format ?? 'text') === 'text' && PG_OVERRIDES[oid] ? PG_OVERRIDES[oid] : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

const PG_TYPE_NAMES: Record<number, string> = {
  16: 'bool', 17: 'bytea', 18: 'char', 19: 'name', 20: 'int8', 21: 'int2', 23: 'int4', 25: 'text', 26: 'oid',
  114: 'json', 142: 'xml', 650: 'cidr', 700: 'float4', 701: 'float8', 790: 'money', 869: 'inet', 1042: 'bpchar',
  1043: 'varchar', 1082: 'date', 1083: 'time', 1114: 'timestamp', 1184: 'timestamptz', 1186: 'interval',
  1266: 'timetz', 1700: 'numeric', 2950: 'uuid', 3802: 'jsonb',
  199: 'json[]', 1000: 'bool[]', 1001: 'bytea[]', 1005: 'int2[]', 1007: 'int4[]', 1009: 'text[]', 1015: 'varchar[]',
  1016: 'int8[]', 1021: 'float4[]', 1022: 'float8[]', 1115: 'timestamp[]', 1182: 'date[]', 1185: 'timestamptz[]',
  1231: 'numeric[]', 2951: 'uuid[]', 3807: 'jsonb[]',
};

export function postgresTypeName(oid: number): string {
  return PG_TYPE_NAMES[oid] ?? `oid:${oid}`;
}

/** Column type codes of the MySQL protocol, by name (mysql2's Types, inverted). */
const MYSQL = { TIMESTAMP: 7, DATE: 10, DATETIME: 12, NEWDATE: 14, TIMESTAMP2: 17, DATETIME2: 18 } as const;
const MYSQL_TYPE_NAMES: Record<number, string> = {
  0: 'DECIMAL', 1: 'TINYINT', 2: 'SMALLINT', 3: 'INT', 4: 'FLOAT', 5: 'DOUBLE', 6: 'NULL', 7: 'TIMESTAMP', 8: 'BIGINT',
  9: 'MEDIUMINT', 10: 'DATE', 11: 'TIME', 12: 'DATETIME', 13: 'YEAR', 14: 'DATE', 15: 'VARCHAR', 16: 'BIT',
  17: 'TIMESTAMP', 18: 'DATETIME', 19: 'TIME', 245: 'JSON', 246: 'DECIMAL', 247: 'ENUM', 248: 'SET', 249: 'BLOB',
  250: 'BLOB', 251: 'BLOB', 252: 'BLOB', 253: 'VARCHAR', 254: 'CHAR', 255: 'GEOMETRY',
};
const BINARY_CHARSET = 63;
const TEXTUAL_BLOBS = new Set([249, 250, 251, 252, 253, 254]);

export function mysqlTypeName(columnType: number, characterSet: number, extendedTypeName?: string): string {
  // MariaDB names its own types (uuid, inet6) and JSON columns in extended metadata.
  if (extendedTypeName) return extendedTypeName.toUpperCase();
  const name = MYSQL_TYPE_NAMES[columnType] ?? `type:${columnType}`;
  if (TEXTUAL_BLOBS.has(columnType) && characterSet !== BINARY_CHARSET) {
    return name === 'BLOB' ? 'TEXT' : name;
  }
  if (characterSet === BINARY_CHARSET && (columnType === 253 || columnType === 254)) return name === 'CHAR' ? 'BINARY' : 'VARBINARY';
  return name;
}

/**
 * How to convert a MySQL column's value (a string, with dateStrings on)
 * beyond the generic rules: TIMESTAMP is read in the session's UTC, so it
 * gets a Z; DATETIME has no zone, so it gets none.
 */
export function mysqlConverter(columnType: number): ((value: unknown) => unknown) | undefined {
  const iso = (zone: string) => (value: unknown) =>
    typeof value === 'string' && /^\d{4}-\d\d-\d\d \d/.test(value) && !value.startsWith('0000-00-00')
      ? `${value.replace(' ', 'T')}${zone}`
      : value;
  switch (columnType) {
    case MYSQL.TIMESTAMP:
    case MYSQL.TIMESTAMP2:
      return iso('Z');
    case MYSQL.DATETIME:
    case MYSQL.DATETIME2:
      return iso('');
    default:
      return undefined;
  }
}

/** The generic rules every value goes through, after the driver's own parsing. */
export function jsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(jsonValue);
  return value;
}

/** A value from a template, as the driver binds it: objects travel as JSON text. */
export function bindValue(value: unknown, dialect: 'postgres' | 'mysql'): unknown {
  if (value === undefined) return null;
  if (value === null || typeof value !== 'object') return value;
  // PostgreSQL takes arrays as arrays (for `= any($1)`); MySQL has no array type.
  if (Array.isArray(value) && dialect === 'postgres') return value;
  return JSON.stringify(value);
}
