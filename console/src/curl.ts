// "Copy as curl": the exact request the console sent, as one shell line.

/** Quotes for POSIX shells: inside single quotes nothing is special but the quote itself. */
export const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export function curlLine(url: string, body: string): string {
  return `curl -s -X POST ${shellQuote(url)} -H 'Content-Type: application/json' --data-raw ${shellQuote(body)}`;
}
