// Checks the request body before it is sent and says where it is wrong, in words, with a line and
// column: JSON.parse's messages differ between browsers and often give no position at all.

export type JsonCheck =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; message: string; offset: number; line: number; column: number };

class JsonProblem extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

function describe(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the text';
  if (ch === '\n') return 'a line break';
  if (ch === "'") return 'a single quote (JSON strings use double quotes)';
  return `'${ch}'`;
}

function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let col = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      col = 1;
    } else col++;
  }
  return { line, column: col };
}

export function checkJson(text: string): JsonCheck {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (msg: string, at = i): never => {
    throw new JsonProblem(msg, at);
  };

  function str(): void {
    const start = i;
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('this string is never closed (a " is missing)', start);
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\n') fail('a line break inside a string: close the string with " or write \\n', start);
      if (c.charCodeAt(0) < 0x20) fail('a control character inside a string: escape it (e.g. \\t)');
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('\\u must be followed by 4 hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(`unknown escape \\${e ?? ''} inside a string`);
      } else i++;
    }
  }

  function num(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail('not a valid number');
    i += m![0].length;
  }

  function value(depth: number): void {
    if (depth > 200) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') return obj(depth);
    if (c === '[') return arr(depth);
    if (c === '"') return str();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(`expected a value (an object, array, string, number, true, false or null), found ${describe(c)}`);
  }

  function obj(depth: number): void {
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] !== '"')
        fail(
          text[i] === '}'
            ? "a trailing comma before '}' is not allowed in JSON"
            : `expected a property name in double quotes, found ${describe(text[i])}`,
        );
      str();
      ws();
      if (text[i] !== ':') fail(`expected ':' after the property name, found ${describe(text[i])}`);
      i++;
      value(depth + 1);
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`expected ',' or '}' after a property value, found ${describe(text[i])}`);
    }
  }

  function arr(depth: number): void {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      ws();
      if (text[i] === ']') fail("a trailing comma before ']' is not allowed in JSON");
      value(depth + 1);
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`expected ',' or ']' after an array item, found ${describe(text[i])}`);
    }
  }

  try {
    ws();
    if (i >= text.length) fail('the body is empty: the APIs take a JSON object, at least {}');
    if (text[i] !== '{') fail('the body must be a JSON object, starting with {');
    value(0);
    ws();
    if (i < text.length) fail(`unexpected text after the end of the object: ${describe(text[i])}`);
  } catch (e) {
    if (!(e instanceof JsonProblem)) throw e;
    return { ok: false, message: e.message, offset: e.offset, ...lineCol(text, e.offset) };
  }
  // The checker above follows the JSON grammar; JSON.parse has the last word all the same.
  try {
    return { ok: true, value: JSON.parse(text) as Record<string, unknown> };
  } catch (e) {
    return { ok: false, message: (e as Error).message, offset: 0, line: 1, column: 1 };
  }
}
