// An API-level failure: it becomes HTTP 200 with ActionStatus FAIL, this ErrorCode and ErrorInfo
// (REST), or a frame's code and message (WebSocket). The domain throws these; the edges format them.
//
// The domain names the parties it checks by role, not by a REST field: a text that names one is a
// function of the edge's field names, so a WebSocket client reads "to" where a REST caller reads
// "To_Account". (A function, not a "{role}" template: the text also quotes client input.)

/** A party or input of a domain operation, as the domain names it. */
export type FieldRole =
  | 'sender'
  | 'recipient'
  | 'operator'
  | 'peer'
  | 'reporter'
  | 'owner'
  | 'account'
  | 'msgKey'
  | 'lastMsgKey';

/** An edge's name for each role. */
export type FieldNames = Readonly<Record<FieldRole, string>>;

/** The error's text: fixed, or written with an edge's names for the roles. */
export type ErrorText = string | ((names: FieldNames) => string);

/** Plain words, for logs and for whatever formats an ApiError without an edge's names. */
const ROLE_WORDS: FieldNames = {
  sender: 'sender',
  recipient: 'recipient',
  operator: 'operator',
  peer: 'peer',
  reporter: 'reporter',
  owner: 'owner',
  account: 'account',
  msgKey: 'MsgKey',
  lastMsgKey: 'continuation MsgKey',
};

export class ApiError extends Error {
  /** @param field the role the error is about, when it is about one */
  constructor(
    readonly code: number,
    private readonly text: ErrorText,
    readonly field?: FieldRole,
  ) {
    super(typeof text === 'string' ? text : text(ROLE_WORDS));
    this.name = 'ApiError';
  }

  /** The text in plain role words. */
  get info(): string {
    return this.message;
  }

  /** The text with each role named as this edge's protocol names it. */
  infoWith(names: FieldNames): string {
    return typeof this.text === 'string' ? this.text : this.text(names);
  }
}

export const fail = (code: number, info: string): never => {
  throw new ApiError(code, info);
};
