/**
 * Sigma condition expressions to an AST:
 *   expr    := or
 *   or      := and ('or' and)*
 *   and     := not ('and' not)*
 *   not     := 'not' not | primary
 *   primary := '(' expr ')' | quant 'of' (pattern | 'them') | identifier
 *   quant   := '1' | 'any' | 'all' | <number>
 * Identifiers may hold `*` wildcards in `x of` patterns. The aggregation pipe (`| count() by x > 5`)
 * and `near` belong to Sigma's correlation features and are reported as unsupported, never dropped.
 */

export type ConditionAst =
  | { readonly type: 'ref'; readonly name: string }
  | { readonly type: 'not'; readonly operand: ConditionAst }
  | { readonly type: 'and' | 'or'; readonly operands: readonly ConditionAst[] }
  | { readonly type: 'of'; readonly quantifier: 'all' | number; readonly pattern: string };

export class ConditionError extends Error {
  constructor(
    message: string,
    readonly aggregation = false,
  ) {
    super(message);
    this.name = 'ConditionError';
  }
}

const TOKEN = /\s*(\(|\)|[A-Za-z0-9_*\-.]+)/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new ConditionError(`unexpected character ${JSON.stringify(text.slice(pos).trim()[0])} in condition`);
    tokens.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  return tokens;
}

export function parseCondition(text: string): ConditionAst {
  // Everything after a pipe is aggregation syntax (count(), >, by…): report it before tokenising.
  if (text.includes('|')) {
    throw new ConditionError(`aggregation "${text.slice(text.indexOf('|')).trim()}" (Sigma correlation) is not supported`, true);
  }
  const tokens = tokenize(text);
  if (tokens.some((t) => t.toLowerCase() === 'near')) throw new ConditionError('the near operator (Sigma correlation) is not supported', true);
  let i = 0;
  const peek = () => tokens[i]?.toLowerCase();
  const next = () => tokens[i++];

  const parseOr = (): ConditionAst => {
    const operands = [parseAnd()];
    while (peek() === 'or') {
      i++;
      operands.push(parseAnd());
    }
    return operands.length === 1 ? operands[0]! : { type: 'or', operands };
  };
  const parseAnd = (): ConditionAst => {
    const operands = [parseNot()];
    while (peek() === 'and') {
      i++;
      operands.push(parseNot());
    }
    return operands.length === 1 ? operands[0]! : { type: 'and', operands };
  };
  const parseNot = (): ConditionAst => {
    if (peek() === 'not') {
      i++;
      return { type: 'not', operand: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ConditionAst => {
    const t = next();
    if (t === undefined) throw new ConditionError('condition ends too early');
    if (t === '(') {
      const inner = parseOr();
      if (next() !== ')') throw new ConditionError('missing ")" in condition');
      return inner;
    }
    if (t === ')') throw new ConditionError('unexpected ")" in condition');
    const lower = t.toLowerCase();
    if (['and', 'or', 'not', 'of'].includes(lower)) throw new ConditionError(`unexpected "${t}" in condition`);
    if (peek() === 'of') {
      i++;
      const pattern = next();
      if (pattern === undefined || pattern === '(' || pattern === ')') throw new ConditionError(`"${t} of" needs a pattern or "them"`);
      let quantifier: 'all' | number;
      if (lower === 'all') quantifier = 'all';
      else if (lower === 'any') quantifier = 1;
      else if (/^\d+$/.test(t) && Number(t) >= 1) quantifier = Number(t);
      else throw new ConditionError(`"${t} of": the quantifier must be all, any or a positive number`);
      return { type: 'of', quantifier, pattern };
    }
    if (t.includes('*')) throw new ConditionError(`wildcard identifier ${t} is only allowed after "1 of" / "all of"`);
    return { type: 'ref', name: t };
  };

  const ast = parseOr();
  if (i < tokens.length) throw new ConditionError(`unexpected "${tokens[i]}" in condition`);
  return ast;
}

/** Search identifiers an `x of pattern` refers to (`them`: all of them), in declaration order. */
export function expandPattern(pattern: string, names: readonly string[]): string[] {
  if (pattern.toLowerCase() === 'them') return names.filter((n) => !n.startsWith('_'));
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return names.filter((n) => re.test(n));
}
