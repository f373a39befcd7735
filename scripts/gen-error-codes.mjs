// Writes packages/protocol/src/error-codes.ts: every ErrorCode Parley answers with, by name, and
// what each code of Tencent's tables means (the console shows it). The meanings come from the
// error-code tables of the REST reference Parley was built from (Tencent's "Error Codes" page,
// https://intl.cloud.tencent.com/document/product/1047/34348, condensed in a spec file kept
// outside this repository); the names are Parley's, listed below.
//   node scripts/gen-error-codes.mjs path/to/tencent-rest-api.md
// The output is committed, so building needs no spec file; test/console/error-codes checks that
// every code the registry and the edge can answer with has an explanation.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Parley's name for each code it answers with (src/ uses these names, never the numbers). */
export const NAMES = [
  ['OK', 0],
  ['REQUEST_PACKET_INVALID', 20001],
  ['EXT_INTERNAL_ERROR', 10002],
  ['EXT_INVALID_PARAMETER', 10004],
  ['USERSIG_REJECTED', 20002],
  ['USER_NOT_FOUND', 20003],
  ['BEFORE_SEND_CALLBACK_REJECTED', 20006],
  ['SENDER_MUTED', 20012],
  ['RECALL_WINDOW_PASSED', 20016],
  ['MESSAGE_NOT_FOUND', 20022],
  ['MESSAGE_ALREADY_RECALLED', 20023],
  ['PROFILE_INVALID_PARAMETER', 40001],
  ['PROFILE_TO_ACCOUNT_MISSING', 40002],
  ['PROFILE_ACCOUNT_NOT_FOUND', 40003],
  ['PROFILE_NOT_ADMIN', 40004],
  ['PROFILE_INTERNAL_ERROR', 40006],
  ['PROFILE_TAG_NOT_FOUND', 40009],
  ['EXT_SEQ_CONFLICT', 23001],
  ['EXT_NOT_SUPPORTED', 23002],
  ['EXT_TOO_FREQUENT', 23003],
  ['EXT_MESSAGE_NOT_FOUND', 23004],
  ['PROFILE_FIELD_TOO_LONG', 40601],
  ['PROFILE_VALUE_INVALID', 40605],
  ['PROFILE_VALUE_WRONG_TYPE', 40610],
  ['HTTP_REQUEST_INVALID', 60002],
  ['BODY_NOT_JSON', 60003],
  ['SDKAPPID_INVALID', 60006],
  ['RATE_LIMITED', 60007],
  ['UNKNOWN_API', 60009],
  ['ADMIN_REQUIRED', 60010],
  ['SDKAPPID_MISSING', 60012],
  ['TOO_MANY_REQUESTS', 60018],
  ['USERSIG_EXPIRED', 70001],
  ['USERSIG_EMPTY', 70002],
  ['USERSIG_MALFORMED', 70003],
  ['USERSIG_WRONG_KEY', 70009],
  ['USERSIG_IDENTIFIER_MISMATCH', 70013],
  ['USERSIG_SDKAPPID_MISMATCH', 70014],
  ['SDKAPPID_NOT_FOUND', 70020],
  ['ACCOUNT_NOT_FOUND', 70107],
  ['ACCOUNT_INVALID_PARAMETER', 70402],
  ['ACCOUNT_NOT_ADMIN', 70403],
  ['ACCOUNT_INTERNAL_ERROR', 70500],
  ['TEXT_SENSITIVE', 80001],
  ['BEFORE_SEND_CALLBACK_FAILED', 80003],
  ['IMAGE_SENSITIVE', 80004],
  ['MSG_JSON_INVALID', 90001],
  ['MSG_BODY_INVALID', 90002],
  ['TO_ACCOUNT_INVALID', 90003],
  ['MSG_SEQ_INVALID', 90004],
  ['MSG_RANDOM_INVALID', 90005],
  ['MSG_TIMESTAMP_INVALID', 90006],
  ['MSG_BODY_NOT_ARRAY', 90007],
  ['FROM_ACCOUNT_INVALID', 90008],
  ['MSG_NOT_ADMIN', 90009],
  ['MSG_ELEMENT_INVALID', 90010],
  ['TOO_MANY_RECIPIENTS', 90011],
  ['TO_ACCOUNT_NOT_FOUND', 90012],
  ['MSG_LIFETIME_OUT_OF_RANGE', 90026],
  ['SYNC_FROM_OLD_SYSTEM_INVALID', 90030],
  ['SYNC_OTHER_MACHINE_INVALID', 90031],
  ['OFFLINE_PUSH_INFO_INVALID', 90043],
  ['MSG_LIFETIME_INVALID', 90044],
  ['MSG_KEY_INVALID', 90054],
  ['MSG_INTERNAL_ERROR', 91000],
  ['MSG_TOO_LONG', 93000],
  ['CONFIG_JSON_INVALID', 130001],
  ['GET_ACCOUNT_MISSING', 130002],
  ['GET_ACCOUNT_INVALID', 130003],
  ['SET_ACCOUNT_MISSING', 130004],
  ['SET_ACCOUNT_INVALID', 130005],
  ['NOSPEAKING_TIME_MISSING', 130008],
  ['CONFIG_SYSTEM_ERROR', 130014],
  ['CONVERSATION_ACCOUNT_NOT_FOUND', 50001],
  ['CONVERSATION_INVALID_PARAMETER', 50002],
  ['CONVERSATION_NOT_ADMIN', 50003],
  ['CONVERSATION_INTERNAL_ERROR', 50004],
];

/** Codes and ranges of every "| Code | Meaning |" table, in the order they appear. */
export function parseErrorTables(markdown) {
  const codes = [];
  const ranges = [];
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (/^\|\s*Code\s*\|\s*Meaning\s*\|/.test(line)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    if (!line.startsWith('|')) {
      inTable = false;
      continue;
    }
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length < 2 || /^-+$/.test(cells[0])) continue;
    const meaning = cells.slice(1).join(' | ').replace(/`/g, '').replace(/\*\*/g, '');
    const range = /^(\d+)\s*[–-]\s*(\d+)$/.exec(cells[0]);
    if (range) {
      ranges.push({ from: Number(range[1]), to: Number(range[2]), meaning });
      continue;
    }
    for (const c of cells[0].split('/').map((s) => s.trim())) if (/^\d+$/.test(c)) codes.push([Number(c), meaning]);
  }
  return { codes, ranges };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const specPath = process.argv[2];
  if (!specPath || !existsSync(specPath)) {
    console.error('gen-error-codes: give the path of the REST reference (tencent-rest-api.md)');
    process.exit(2);
  }
  const { codes, ranges } = parseErrorTables(readFileSync(specPath, 'utf8'));
  // Codes the reference mentions outside its tables that Parley answers with.
  const extra = [
    [
      40001,
      'Profile service: invalid parameter (a required field missing, of the wrong type, or a body that is not JSON).',
    ],
    [40002, 'Profile service: To_Account was not given.'],
    [40003, 'Profile service: the account does not exist.'],
    [40004, 'Profile service: the call needs an app admin.'],
    [40006, 'Profile service: internal error; the request was not applied.'],
    [40009, 'Profile service: the profile tag does not exist.'],
    [40601, 'A profile field (Nick, FaceUrl) is longer than 500 bytes.'],
    [40605, 'Profile service: invalid value of a standard field (not one of its values, or Location over 16 bytes).'],
    [40610, 'Profile service: wrong value type for the field.'],
    // Global mute (openconfigsvr), from the setnospeaking / getnospeaking pages (1047/34923, 34924).
    [130001, 'Invalid JSON, or a mute time that is not an integer from 0 to 4294967295.'],
    [130002, 'Get_Account is missing.'],
    [130003, 'Get_Account is invalid (not a string, or no such account).'],
    [130004, 'Set_Account is missing.'],
    [130005, 'Set_Account is invalid (not a string, or no such account).'],
    [130008, 'Neither C2CmsgNospeakingTime nor GroupmsgNospeakingTime is given.'],
    [130014, 'System error.'],
    // recentcontact (the conversation list APIs, Tencent 1047/43087 and 43088).
    [50001, 'The UserID has not been imported.'],
    [50002, 'Invalid request parameter (recentcontact).'],
    [50003, 'The request needs an app admin (recentcontact).'],
    [50004, 'Internal server error (recentcontact).'],
    // Message extensions (set_key_values / get_key_values, Tencent 1047/51195 and 1047/51194): listed in prose, not in a table.
    [10002, 'Internal server error (message extensions); retry.'],
    [10004, 'Invalid parameter (message extensions): check the fields, their types and limits.'],
    [23001, 'Extension Seq conflict: the key changed since the caller last read it.'],
    [23002, 'The message does not support extensions (sent without SupportMessageExtension 1).'],
    [23003, 'Extensions of this message were set more than 200 times in a minute.'],
    [23004, 'The message does not exist (or was recalled).'],
  ];
  const seen = new Set(codes.map(([c]) => c));
  const all = [...codes, ...extra.filter(([c]) => !seen.has(c))].sort((a, b) => a[0] - b[0]);
  // Section references (§3.1) point into the spec file, which is not in the repository.
  const clean = (m) => m.replace(/\s*\(§[\d.]+\)/g, '').replace(/§[\d.]+/g, 'its page');
  const out = [
    '// Generated by scripts/gen-error-codes.mjs. Do not edit by hand: run the script again.',
    "// Meanings: Tencent Cloud Chat's error-code tables (https://intl.cloud.tencent.com/document/product/1047/34348).",
    '',
    '/** Every ErrorCode Parley answers with, by name. */',
    'export const ErrorCode = {',
    ...NAMES.map(([n, c]) => `  ${n}: ${c},`),
    '} as const;',
    '',
    'export type ErrorCodeName = keyof typeof ErrorCode;',
    '',
    "/** Codes a before-send callback may return to refuse a message with its own code (Tencent's reserved range). */",
    'export const CALLBACK_ERROR_RANGE = { from: 120001, to: 130000 } as const;',
    '',
    "/** ErrorCode → what it means, in Tencent's words. */",
    'export const ERROR_MEANINGS: Readonly<Record<number, string>> = {',
    ...all.map(([c, m]) => `  ${c}: ${JSON.stringify(clean(m))},`),
    '};',
    '',
    '/** Ranges of codes with one meaning. */',
    'export const ERROR_RANGES: ReadonlyArray<{ from: number; to: number; meaning: string }> = [',
    ...ranges.map((r) => `  { from: ${r.from}, to: ${r.to}, meaning: ${JSON.stringify(clean(r.meaning))} },`),
    '];',
    '',
    '/** What a code means, or undefined for a code no table lists. */',
    'export function errorMeaning(code: number): string | undefined {',
    '  if (Object.hasOwn(ERROR_MEANINGS, code)) return ERROR_MEANINGS[code];',
    '  return ERROR_RANGES.find((r) => code >= r.from && code <= r.to)?.meaning;',
    '}',
    '',
  ];
  const target = `${root}packages/protocol/src/error-codes.ts`;
  writeFileSync(target, out.join('\n'));
  console.log(
    `gen-error-codes: ${NAMES.length} names, ${all.length} meanings, ${ranges.length} ranges → packages/protocol/src/error-codes.ts`,
  );
}
