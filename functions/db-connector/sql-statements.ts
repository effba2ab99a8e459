import { BlockFailure } from '../../shared/errors/index.ts';
/**
 * A query block's `sql` split into statements, each with the parameters it
 * binds. The lexer knows just enough SQL to tell a `;` or a placeholder from
 * the same character inside a string, a quoted name or a comment; the values
 * themselves always travel to the driver as bound parameters.
 *
 * Placeholders are numbered across the whole text: PostgreSQL's `$n` keeps
 * its number (each statement is renumbered to `$1..` for the server), and
 * MySQL's `?` takes the next value in order.
 */

export type Dialect = 'postgres' | 'mysql';

export interface Statement {
  readonly text: string;
  readonly values: readonly unknown[];
}

interface Placeholder {
  readonly start: number;
  readonly end: number;
  /** Index into the block's params. */
  readonly index: number;
}

interface Piece {
  readonly start: number;
  readonly end: number;
  readonly placeholders: Placeholder[];
}

const PG_DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/** Where the quoted thing that starts at `i` ends (the index after it). */
function skipQuoted(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < sql.length) {
    const c = sql[j];
    if (backslashEscapes && c === '\\') j += 2;
    else if (c === quote && sql[j + 1] === quote) j += 2;
    else if (c === quote) return j + 1;
    else j += 1;
  }
  return sql.length;
}

function skipBlockComment(sql: string, i: number, nests: boolean): number {
  let depth = 1;
  let j = i + 2;
  while (j < sql.length && depth > 0) {
    if (nests && sql.startsWith('/*', j)) {
      depth += 1;
      j += 2;
    } else if (sql.startsWith('*/', j)) {
      depth -= 1;
      j += 2;
    } else j += 1;
  }
  return j;
}

function lex(sql: string, dialect: Dialect): Piece[] {
  const pieces: Piece[] = [];
  let placeholders: Placeholder[] = [];
  let pieceStart = 0;
  let nextQuestionMark = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "'") {
      // PostgreSQL reads backslash escapes only in E'...' strings; MySQL in every string.
      const escaped = dialect === 'mysql' || (/[eE]/.test(sql[i - 1] ?? '') && !/[A-Za-z0-9_]/.test(sql[i - 2] ?? ''));
      i = skipQuoted(sql, i, "'", escaped);
    } else if (c === '"') i = skipQuoted(sql, i, '"', dialect === 'mysql');
    else if (c === '`' && dialect === 'mysql') i = skipQuoted(sql, i, '`', false);
    else if (c === '-' && next === '-') i = lineEnd(sql, i);
    else if (c === '#' && dialect === 'mysql') i = lineEnd(sql, i);
    else if (c === '/' && next === '*') i = skipBlockComment(sql, i, dialect === 'postgres');
    else if (c === '$' && dialect === 'postgres') {
      const number = /^\$(\d+)/.exec(sql.slice(i, i + 12));
      const tag = PG_DOLLAR_TAG.exec(sql.slice(i, i + 66));
      if (number && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
        placeholders.push({ start: i, end: i + number[0].length, index: Number(number[1]) - 1 });
        i += number[0].length;
      } else if (tag && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? sql.length : close + tag[0].length;
      } else i += 1;
    } else if (c === '?' && dialect === 'mysql') {
      placeholders.push({ start: i, end: i + 1, index: nextQuestionMark++ });
      i += 1;
    } else if (c === ';') {
      pieces.push({ start: pieceStart, end: i, placeholders });
      placeholders = [];
      pieceStart = i + 1;
      i += 1;
    } else i += 1;
  }
  pieces.push({ start: pieceStart, end: sql.length, placeholders });
  return pieces;
}

function lineEnd(sql: string, i: number): number {
  const end = sql.indexOf('\n', i);
  return end < 0 ? sql.length : end + 1;
}

/** True when a piece holds nothing but blanks and comments (a trailing `;`, say). */
function isEmpty(text: string, dialect: Dialect): boolean {
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('--', i) || (dialect === 'mysql' && text[i] === '#')) i = lineEnd(text, i);
    else if (text.startsWith('/*', i)) i = skipBlockComment(text, i, dialect === 'postgres');
    else if (/\s/.test(text[i]!)) i += 1;
    else return false;
  }
  return true;
}

/**
 * The statements of `sql` with their bound values, or a BlockFailure naming
 * the block when placeholders and params do not match.
 */
export function splitStatements(sql: string, params: readonly unknown[], dialect: Dialect, blockId: string): Statement[] {
  const pieces = lex(sql, dialect).filter((piece) => !isEmpty(sql.slice(piece.start, piece.end), dialect));
  const used = new Set(pieces.flatMap((piece) => piece.placeholders.map((p) => p.index)));
  const highest = used.size === 0 ? 0 : Math.max(...used) + 1;
  const mismatch = (detail: string) =>
    new BlockFailure('QueryError', `block "${blockId}": ${detail}; params has ${params.length} value${params.length === 1 ? '' : 's'}`, false);
  if (pieces.length === 0) throw new BlockFailure('QueryError', `block "${blockId}": sql holds no statement`, false);
  if (dialect === 'mysql' && highest !== params.length) {
    throw mismatch(`sql has ${highest} ? placeholder${highest === 1 ? '' : 's'}`);
  }
  if (dialect === 'postgres') {
    if (highest > params.length) throw mismatch(`sql uses $${highest}`);
    const unused = params.map((_, index) => index).filter((index) => !used.has(index));
    if (unused.length > 0) throw mismatch(`sql never uses ${unused.map((index) => `$${index + 1}`).join(', ')}`);
  }
  return pieces.map((piece) => statementOf(sql, piece, params, dialect));
}

function statementOf(sql: string, piece: Piece, params: readonly unknown[], dialect: Dialect): Statement {
  if (dialect === 'mysql') {
    return { text: sql.slice(piece.start, piece.end).trim(), values: piece.placeholders.map((p) => params[p.index]) };
  }
  // The server numbers a statement's parameters from $1 without gaps: renumber in order of first use.
  const renumbered = new Map<number, number>();
  for (const p of piece.placeholders) if (!renumbered.has(p.index)) renumbered.set(p.index, renumbered.size + 1);
  let text = '';
  let last = piece.start;
  for (const p of piece.placeholders) {
    text += `${sql.slice(last, p.start)}$${renumbered.get(p.index)}`;
    last = p.end;
  }
  text += sql.slice(last, piece.end);
  return { text: text.trim(), values: [...renumbered.keys()].map((index) => params[index]) };
}
