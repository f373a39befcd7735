// ErrorCode → words: Tencent's meaning (@parley/protocol's catalogue, generated from its tables)
// and, for the codes a console user meets most, what to do about it here.
import { errorMeaning } from '@parley/protocol';

const HINTS: Record<number, string> = {
  60006: 'The SDKAppID is not a number: check the SDKAppID field.',
  60012: 'Enter the SDKAppID.',
  70001: 'Generate a new UserSig (the validity field sets how long it lasts).',
  70002: 'Generate a UserSig first.',
  70003: 'The UserSig field does not hold a UserSig: generate a new one.',
  70009: 'Check the secret key: the UserSig was signed with a key this app does not have.',
  70013: 'The UserSig was made for another identifier: generate it again after changing the identifier.',
  70014: 'The UserSig was made for another SDKAppID: generate it again after changing the SDKAppID.',
  70020: 'Check the SDKAppID: this server does not host that app.',
  70107: 'Import the account first (Accounts view).',
  70403: "The identifier must be one of the app's admins (PARLEY_ADMIN).",
  90009: "The identifier must be one of the app's admins (PARLEY_ADMIN).",
  90012: 'Import the recipient first (Accounts view).',
  90008: 'Check From_Account: it must be an imported account.',
  20016: 'Only an admin can recall it now (admin_msgwithdraw).',
};

/** What the spec says the code means; undefined for 0 or a code not in its tables. */
export function meaningOf(code: number): string | undefined {
  if (code === 0) return undefined;
  return errorMeaning(code);
}

export function hintFor(code: number): string | undefined {
  return Object.hasOwn(HINTS, code) ? HINTS[code] : undefined;
}

/** One sentence for a failed call: "ErrorCode 70009: <meaning> <hint>". */
export function explainCode(code: number): string {
  const meaning = meaningOf(code) ?? 'not in the error-code tables of the spec.';
  const hint = hintFor(code);
  return `ErrorCode ${code}: ${meaning}${hint ? ` ${hint}` : ''}`;
}
