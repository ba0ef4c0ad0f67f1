import { execFileSync } from 'node:child_process';
import { bearer, MockHttpServer, type RecordedRequest, type Reply } from './http-server.js';

const MESSAGES: Record<string, string> = {
  DxFileIsNull: 'No data file provided in the request',
  DxFileIsEmpty: 'Empty data file provided in the request',
  DxFileNotValidBZ2: 'Bz2 file is malformed',
  DxFileNotValidSchema: 'Insufficient number of valid schema fields',
  DxFileHeaderOnly: 'File with only header line',
  DxFileInvalidDelimiter: 'Invalid delimiter',
  DxFileInconsistentFieldAndSchema: 'Field numbers not consistent with schema numbers',
  DxFileInvalidPxid: 'Invalid pxid',
  DxFileInvalidHashedEmail: 'Invalid hashedEmail',
  DxFileInconsistentContent: 'Inconsistent schema and content',
  DxInvalidRequest: 'urnType is not supported',
};

export interface UsermatchUpload {
  schema: string;
  filename: string | undefined;
  bytes: Buffer;
}

export interface DataxServerOptions {
  token: string;
  /** Requests an hour per provider (the document's 100). */
  limitPerHour?: number;
  now?: () => number;
}

/**
 * A stand-in for DataX `POST /v1/usermatch?schema=…` (document 002): OAuth bearer, the
 * X-DATAX-URNTYPE header, a multipart `data` part holding a bz2 CSV whose header line and first
 * ten content lines are checked, 400s named by their Dx… codes, and 429 past the hourly limit.
 */
export class DataxServer extends MockHttpServer {
  readonly uploads: UsermatchUpload[] = [];
  private readonly window: number[] = [];

  constructor(readonly options: DataxServerOptions) {
    super((request) => this.route(request));
  }

  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.uploads.length = 0;
    this.window.length = 0;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private async route(request: RecordedRequest): Promise<Reply> {
    if (request.path !== '/v1/usermatch' || request.method !== 'POST') return { status: 404, body: { errorCode: 'NotFound' } };
    if (bearer(request) !== this.options.token) return { status: 401, body: { errorCode: 'Unauthorized', message: 'invalid token' } };
    // The quota counts every request of the hour, refused ones included.
    const now = this.now();
    while (this.window.length > 0 && this.window[0]! <= now - 3600_000) this.window.shift();
    const limit = this.options.limitPerHour ?? 100;
    if (this.window.length >= limit) {
      const retryAfter = Math.ceil((this.window[0]! + 3600_000 - now) / 1000);
      return { status: 429, headers: { 'retry-after': String(retryAfter) }, body: { errorCode: 'Too many requests', message: `Rate Limit exceeded per hour (Limit: ${limit})` } };
    }
    this.window.push(now);
    if (String(request.headers['x-datax-urntype'] ?? '').toLowerCase() !== 'pxid') return dx('DxInvalidRequest');

    const form = await new Response(request.body, { headers: { 'content-type': String(request.headers['content-type']) } }).formData().catch(() => undefined);
    const file = form?.get('data');
    if (!(file instanceof Blob)) return dx('DxFileIsNull');
    const bytes = Buffer.from(await file.arrayBuffer());
    if (bytes.length === 0) return dx('DxFileIsEmpty');
    let text: string;
    try {
      text = execFileSync('bzip2', ['-dc'], { input: bytes, stdio: ['pipe', 'pipe', 'ignore'] }).toString('latin1');
    } catch {
      return dx('DxFileNotValidBZ2');
    }
    const schemaParam = request.query.get('schema') ?? 'PXID,SHA256EMAIL';
    const code = validate(text, schemaParam);
    if (code !== undefined) return dx(code);
    this.uploads.push({ schema: schemaParam, filename: file instanceof File ? file.name : undefined, bytes });
    return { status: 200, body: { resourceType: 'datax-usermatch', resourceId: `TEST.usermatch.${this.uploads.length}`, bytes: bytes.length } };
  }
}

/** The document's checks, on the header line and at most the first ten content lines. */
function validate(text: string, schemaParam: string): string | undefined {
  const lines = text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  const header = lines[0] ?? '';
  if (/[\t;|]/.test(header)) return 'DxFileInvalidDelimiter';
  const schema = schemaParam.split(',');
  if (schema.length < 2 || header.split(',').length < 2) return 'DxFileNotValidSchema';
  if (header !== schemaParam) return 'DxFileInconsistentContent';
  const content = lines.slice(1);
  if (content.length === 0) return 'DxFileHeaderOnly';
  for (const line of content.slice(0, 10)) {
    const fields = line.split(',');
    if (fields.length !== schema.length) return 'DxFileInconsistentFieldAndSchema';
    for (let i = 0; i < schema.length; i++) {
      const value = fields[i]!;
      if (schema[i] === 'PXID' && !/^[\x21-\x2b\x2d-\x7e]+$/.test(value)) return 'DxFileInvalidPxid';
      if (schema[i] === 'SHA256EMAIL' && !/^[0-9a-fA-F]{64}$/.test(value)) return 'DxFileInvalidHashedEmail';
    }
  }
  return undefined;
}

function dx(code: string): Reply {
  return { status: 400, body: { errorCode: code, message: MESSAGES[code] ?? code } };
}
