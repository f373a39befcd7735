// The message's wire types, shared by every layer. Types and constants only, no imports, so the
// ports, the domain and the edges can all depend on it without depending on each other.

/** One element of a MsgBody (Tencent's TIMMsgElement): its type and its content. */
export interface MsgElement {
  MsgType: string;
  MsgContent: Record<string, unknown>;
}
