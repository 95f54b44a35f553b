/**
 * Local stand-ins for the receivers of notifications, on 127.0.0.1 ephemeral ports: an HTTP receiver
 * (webhook, WeCom, DingTalk, SMS gateway) and an SMTP server. Both record what arrived and can be
 * told to fail the way real receivers do: refuse for now, refuse for good, hang, or be down.
 * `sampleNotification` is what they are sent.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Notification } from '../../server/alerts/channels/channel.js';

/**
 * How a receiver fails: `transient` refuses for now (HTTP 500, SMTP 451), `permanent` refuses for
 * good (HTTP 400, SMTP 550), `hang` never answers, `down` refuses connections.
 */
export type ReceiverFault = 'transient' | 'permanent' | 'hang' | 'down';

export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. `/robot/send?access_token=…&timestamp=…&sign=…`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpReceiver {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: ReceivedRequest[];
  /** The answer to every request from now on; the default is a robot's `{"errcode":0}`. */
  answer: HttpAnswer | 'hang' | ((request: ReceivedRequest) => HttpAnswer);
  /** Stops listening and drops every connection: the next request is refused. */
  down(): void;
  /** Its HTTP 400 quotes back where credentials travel (URL, authorization, body), as careless gateways do. */
  fail(fault: ReceiverFault): void;
  stop(): Promise<void>;
}

export interface HttpAnswer {
  status: number;
  body: string;
}

export const ROBOT_OK: HttpAnswer = { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const received = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body,
      };
      receiver.requests.push(received);
      const answer = typeof receiver.answer === 'function' ? receiver.answer(received) : receiver.answer;
      if (answer === 'hang') return void hanging.add(response);
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: HttpReceiver = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    answer: ROBOT_OK,
    down() {
      server.close();
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
    },
    fail(fault) {
      if (fault === 'transient') receiver.answer = { status: 500, body: 'upstream unavailable' };
      if (fault === 'permanent')
        receiver.answer = ({ url, headers, body }) => ({
          status: 400,
          body: JSON.stringify({ url, authorization: headers.authorization, body }),
        });
      if (fault === 'hang') receiver.answer = 'hang';
      if (fault === 'down') receiver.down();
    },
    async stop() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Who logged in, and with what (undefined: no AUTH). */
  user: string | undefined;
  pass: string | undefined;
  raw: string;
  /** Lower-case header names, values unfolded and decoded. */
  headers: Record<string, string>;
  /** The decoded text of every part: plain and HTML. */
  text: string;
}

export interface SmtpReceiver {
  host: '127.0.0.1';
  port: number;
  messages: ReceivedMail[];
  /** `accept`; a reply code to MAIL FROM (451: try later, 550: refused); or never greet. */
  answer: 'accept' | { code: number } | 'hang';
  down(): void;
  fail(fault: ReceiverFault): void;
  stop(): Promise<void>;
}

type Login = { user: string; pass: string };

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 100,
    onConnect(_session, callback) {
      if (receiver.answer !== 'hang') callback();
    },
    onAuth(auth, _session, callback) {
      callback(null, { user: { user: auth.username ?? '', pass: auth.password ?? '' } satisfies Login });
    },
    onMailFrom(_address, _session, callback) {
      const answer = receiver.answer;
      if (typeof answer !== 'object') return callback();
      callback(
        Object.assign(new Error(answer.code < 500 ? 'try again later' : 'mailbox unavailable'), {
          responseCode: answer.code,
        }),
      );
    },
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const login = session.user as Login | undefined;
        const envelope = session.envelope;
        receiver.messages.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((rcpt) => rcpt.address),
          user: login?.user,
          pass: login?.pass,
          raw,
          ...parseMail(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const receiver: SmtpReceiver = {
    host: '127.0.0.1',
    port: (server.server.address() as AddressInfo).port,
    messages: [],
    answer: 'accept',
    down: () => server.server.close(),
    fail(fault) {
      if (fault === 'down') receiver.down();
      else receiver.answer = fault === 'hang' ? 'hang' : { code: fault === 'transient' ? 451 : 550 };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return receiver;
}

/** RFC 2047 encoded words: `=?UTF-8?B?…?=` and `=?UTF-8?Q?…?=`. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}

function decodeQuotedPrintable(text: string): string {
  const pieces = text.replace(/=\r?\n/g, '').split(/(=[0-9A-Fa-f]{2})/);
  const bytes = pieces.map((piece) =>
    /^=[0-9A-Fa-f]{2}$/.test(piece)
      ? Buffer.from([parseInt(piece.slice(1), 16)])
      : Buffer.from(piece, 'utf8'),
  );
  return Buffer.concat(bytes).toString('utf8');
}

function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** Enough MIME for a test: headers, and the decoded text of every leaf part. */
export function parseMail(raw: string): { headers: Record<string, string>; text: string } {
  const { headers, body } = splitHead(raw);
  const leaves = (part: { headers: Record<string, string>; body: string }): string[] => {
    const boundary = /boundary="?([^";]+)"?/i.exec(part.headers['content-type'] ?? '')?.[1];
    if (boundary)
      return part.body
        .split(`--${boundary}`)
        .slice(1, -1)
        .flatMap((chunk) => leaves(splitHead(chunk.replace(/^\r?\n/, ''))));
    const encoding = (part.headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
    if (encoding === 'base64') return [Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8')];
    if (encoding === 'quoted-printable') return [decodeQuotedPrintable(part.body)];
    return [part.body];
  };
  return { headers, text: leaves({ headers, body }).join('\n') };
}

/** A notification as the dispatcher would hand it to a channel. */
export function sampleNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    idempotencyKey: 'indexDrop:jinfang:2026-11-25T02:00:00.000Z:fire',
    alertId: 'alert-42',
    street: 'jinfang',
    severity: 'critical',
    kind: 'fire',
    title: { zh: '金方街道平安指数下降 6.2 分', en: 'Jinfang Safety Index down 6.2 points' },
    body: {
      zh: '由 86.0 降至 79.8 (基线为近7日均值)\n主要扣分: 盗窃警情 +3.5 起/万人 (4.0→7.5), 贡献 −1.9 分',
      en: 'From 86.0 to 79.8 (baseline: 7-day mean)\nMain losses: Theft +3.5 per 10k (4.0→7.5), −1.9 pts',
    },
    ackUrl: 'https://pingan.example.gov.cn/alerts/alert-42/ack?via=notice&lang=zh',
    at: '2026-11-25T02:00:00.000Z',
    ...overrides,
  };
}
