// The shape of GET /console/catalogue.json. No imports on purpose: the console (browser code,
// type-checked on its own) imports these types without pulling in the server's.

export interface FieldDescription {
  name: string;
  type: 'string' | 'integer' | 'string[]' | 'object[]' | 'object' | 'MsgBody';
  required: boolean;
  doc: string;
  /** ErrorCode when missing or of the wrong type. */
  code: number;
  /** The limits in words, '' when there are none. */
  limits: string;
  min?: number;
  max?: number;
  minBytes?: number;
  maxBytes?: number;
  maxItems?: number;
  /** Each value is a UserID (1–32 bytes). */
  userId?: boolean;
  /** The item fields of an object[]. */
  fields?: FieldDescription[];
}

export interface CatalogueEntry {
  /** "v4/<service>/<command>" */
  path: string;
  service: string;
  command: string;
  summary: string;
  family: string;
  rateLimit: number;
  maxBodyBytes?: number;
  spec: string;
  fields: FieldDescription[];
  errors: number[];
  sample: Record<string, unknown>;
}

export interface Catalogue {
  apis: CatalogueEntry[];
  /** Codes any API of the family may answer with, from the edge. */
  commonErrors: Record<string, number[]>;
}
