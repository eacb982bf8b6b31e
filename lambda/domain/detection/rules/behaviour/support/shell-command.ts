/**
 * A small POSIX-shell command-line reader: enough structure (pipelines, simple commands, leading
 * variable assignments, redirections, command substitutions) to reason about what a `sh -c` string
 * does — "a decoder feeds a shell", "a download feeds an interpreter" — instead of grepping for
 * keywords. It never executes or expands anything and never throws: unbalanced quotes end the word.
 */

export interface SimpleCommand {
  /** Words after assignments and redirections, quotes removed. */
  readonly words: readonly string[];
  /** Leading NAME=value assignments (`LD_PRELOAD=/tmp/x.so prog`). */
  readonly assignments: readonly { readonly name: string; readonly value: string }[];
  /** Redirections: operator (>, >>, <, >&, &>, 2>…) and target word. */
  readonly redirects: readonly { readonly op: string; readonly target: string }[];
}

/** Commands joined by `|`, in order. */
export type Pipeline = readonly SimpleCommand[];

export interface ParsedCommandLine {
  readonly pipelines: readonly Pipeline[];
  /** Texts of $(…), `…` and <(…) substitutions, parsed separately. */
  readonly substitutions: readonly ParsedCommandLine[];
}

const MAX_DEPTH = 4;
const MAX_CHARS = 16 * 1024;

export function parseCommandLine(text: string, depth = 0): ParsedCommandLine {
  const src = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
  const pipelines: Pipeline[] = [];
  const substitutions: ParsedCommandLine[] = [];
  let pipeline: SimpleCommand[] = [];
  let tokens: { text: string; quotedAt: number }[] = [];
  let word = '';
  let inWord = false;
  /** Index in `word` where the first quoted part began (-1: none): NAME="v" is still an assignment. */
  let quotedAt = -1;

  const endWord = () => {
    if (inWord) tokens.push({ text: word, quotedAt });
    word = '';
    inWord = false;
    quotedAt = -1;
  };
  const endCommand = () => {
    endWord();
    if (tokens.length > 0) pipeline.push(toSimpleCommand(tokens));
    tokens = [];
  };
  const endPipeline = () => {
    endCommand();
    if (pipeline.length > 0) pipelines.push(pipeline);
    pipeline = [];
  };
  const substitution = (start: number, open: string, close: string): number => {
    // Returns the index of the matching close, recording the inner text.
    let level = 1;
    let i = start;
    for (; i < src.length && level > 0; i++) {
      const c = src[i];
      if (c === '\\') i++;
      else if (open !== close && src.startsWith(open, i)) level++;
      else if (c === close) level--;
    }
    const inner = src.slice(start, Math.max(start, i - 1));
    if (depth < MAX_DEPTH) substitutions.push(parseCommandLine(inner, depth + 1));
    return i - 1;
  };

  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '\\') {
      word += src[i + 1] ?? '';
      inWord = true;
      i++;
    } else if (c === "'") {
      const end = src.indexOf("'", i + 1);
      const stop = end < 0 ? src.length : end;
      if (quotedAt < 0) quotedAt = word.length;
      word += src.slice(i + 1, stop);
      inWord = true;
      i = stop;
    } else if (c === '"') {
      if (quotedAt < 0) quotedAt = word.length;
      i++;
      for (; i < src.length && src[i] !== '"'; i++) {
        if (src[i] === '\\' && i + 1 < src.length) word += src[++i];
        else if (src.startsWith('$(', i)) {
          const end = substitution(i + 2, '(', ')');
          word += src.slice(i, end + 1);
          i = end;
        } else if (src[i] === '`') {
          const end = substitution(i + 1, '`', '`');
          word += src.slice(i, end + 1);
          i = end;
        } else word += src[i];
      }
      inWord = true;
    } else if (src.startsWith('$(', i) || src.startsWith('<(', i) || src.startsWith('>(', i)) {
      const end = substitution(i + 2, '(', ')');
      word += src.slice(i, end + 1);
      inWord = true;
      i = end;
    } else if (c === '`') {
      const end = substitution(i + 1, '`', '`');
      word += src.slice(i, end + 1);
      inWord = true;
      i = end;
    } else if (c === '|' && src[i + 1] !== '|') {
      if (src[i + 1] === '&') i++;
      endCommand();
    } else if (c === ';' || c === '\n' || (c === '&' && src[i + 1] !== '>' && src[i - 1] !== '>' && src[i - 1] !== '<') || c === '|') {
      if ((c === '&' && src[i + 1] === '&') || (c === '|' && src[i + 1] === '|')) i++;
      endPipeline();
    } else if (c === '(' || c === ')' || ((c === '{' || c === '}') && !inWord)) {
      // Grouping: a command boundary inside the pipeline, so `(crontab -l; echo x) | crontab -` keeps its pipe.
      endCommand();
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
    } else if (c === '>' || c === '<') {
      // Redirection operator: digits before it belong to the operator (2>, 2>&1).
      let op = '';
      if (inWord && /^\d+$/.test(word)) {
        op = word;
        word = '';
        inWord = false;
      } else endWord();
      op += c;
      while (src[i + 1] === '>' || src[i + 1] === '&' || src[i + 1] === '<') op += src[++i];
      tokens.push({ text: `\u0000${op}`, quotedAt: -1 });
    } else if (c === '&' && src[i + 1] === '>') {
      endWord();
      let op = '&>';
      i++;
      if (src[i + 1] === '>') op += src[++i];
      tokens.push({ text: `\u0000${op}`, quotedAt: -1 });
    } else {
      word += c;
      inWord = true;
    }
  }
  endPipeline();
  return { pipelines, substitutions };
}

function toSimpleCommand(tokens: readonly { text: string; quotedAt: number }[]): SimpleCommand {
  const words: string[] = [];
  const assignments: { name: string; value: string }[] = [];
  const redirects: { op: string; target: string }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as { text: string; quotedAt: number };
    if (t.text.startsWith('\u0000')) {
      const op = t.text.slice(1);
      const next = tokens[i + 1];
      if (next && !next.text.startsWith('\u0000')) {
        redirects.push({ op, target: next.text });
        i++;
      } else redirects.push({ op, target: '' });
      continue;
    }
    const eq = t.text.indexOf('=');
    if (words.length === 0 && (t.quotedAt < 0 || t.quotedAt > eq) && eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.text.slice(0, eq))) {
      assignments.push({ name: t.text.slice(0, eq), value: t.text.slice(eq + 1) });
      continue;
    }
    words.push(t.text);
  }
  return { words, assignments, redirects };
}

/** Every simple command of a parsed line, substitutions included. */
export function allCommands(parsed: ParsedCommandLine): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  for (const p of parsed.pipelines) out.push(...p);
  for (const s of parsed.substitutions) out.push(...allCommands(s));
  return out;
}

/** Every pipeline, substitutions included. */
export function allPipelines(parsed: ParsedCommandLine): Pipeline[] {
  const out: Pipeline[] = [...parsed.pipelines];
  for (const s of parsed.substitutions) out.push(...allPipelines(s));
  return out;
}
