/**
 * Email over SMTP (nodemailer): the headline as subject, the body as text and as simple HTML with the
 * ack link. The Message-ID is derived from the idempotency key, so a resend after a lost answer
 * carries the same Message-ID and mail systems and readers can recognise (and drop) the duplicate.
 * Recipients may be `env:NAME` references, like SMS phone numbers; a literal address (a duty
 * mailbox is a role, not a person) is accepted, masked in `redact` and in every error message.
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import {
  deadline,
  failed,
  langSchema,
  timeoutMsSchema,
  type Channel,
  type ChannelDefinition,
  type DeliveryFailure,
  type Notification,
} from './channel.js';
import {
  credential,
  credentialReader,
  maskEmail,
  maskEmailsIn,
  maskSecret,
  scrubber,
} from './credentials.js';
import { quote } from './http.js';
import { ackLabel, bodyLines, headline, languages, plainText } from './message.js';

const ADDRESS_AT_END = /([^\s<>@]+)@([^\s<>@]+)>?\s*$/;

export const emailConfigSchema = z.strictObject({
  host: z.string().min(1),
  /** 465 when `secure`, else 587. */
  port: z.number().int().min(1).max(65535).optional(),
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  secure: z.boolean().default(false),
  auth: z.strictObject({ user: credential(), pass: credential() }).optional(),
  /** "平安指数 <alerts@example.gov.cn>" or a bare address. */
  from: z.string().regex(ADDRESS_AT_END, 'expected an address, optionally as "Name <address>"'),
  /** Addresses, or `env:NAME` references to them. */
  to: z.array(credential(z.email())).min(1),
  lang: langSchema.default('both'),
  timeoutMs: timeoutMsSchema,
});
export type EmailConfig = z.infer<typeof emailConfigSchema>;

/** `<32 hex>@<sender's domain>`: stable per idempotency key, and a valid Message-ID whatever the key holds. */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = ADDRESS_AT_END.exec(from)?.[2] ?? 'pingan-wall.invalid';
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function html(notification: Notification, config: EmailConfig): string {
  const sections = languages(config.lang).map((lang) => {
    const lines = bodyLines(notification, lang).map(escapeHtml).join('<br>');
    const link = notification.ackUrl
      ? `<p><a href="${escapeHtml(notification.ackUrl)}">${escapeHtml(ackLabel(notification, lang))}</a></p>`
      : '';
    return `<h2>${escapeHtml(headline(notification, lang))}</h2><p>${lines}</p>${link}`;
  });
  return `<!doctype html><html><body style="font-family:sans-serif">${sections.join('<hr>')}</body></html>`;
}

/** Connection trouble and SMTP 4xx may pass; an SMTP 5xx or a message nodemailer refuses will not. */
const NETWORK_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET']);

/** SMTP replies quote addresses (`550 <zhang.wei@example.com> rejected`): they are masked with the secrets. */
function smtpFailure(error: unknown, scrub: (text: string) => string): DeliveryFailure {
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const message = maskEmailsIn(scrub(typeof e.message === 'string' ? e.message : String(error)));
  if (typeof e.responseCode === 'number')
    return failed(`SMTP server answered ${e.responseCode}: ${message}`, e.responseCode < 500);
  const code = typeof e.code === 'string' ? e.code : undefined;
  return failed(`SMTP ${code ?? 'error'}: ${message}`, code === undefined || NETWORK_CODES.has(code));
}

export const emailChannel: ChannelDefinition<EmailConfig> = {
  kind: 'email',
  configSchema: emailConfigSchema,
  create(config, context): Channel {
    const read = credentialReader('email', context);
    const auth = config.auth && {
      user: read(config.auth.user, 'auth.user'),
      pass: read(config.auth.pass, 'auth.pass'),
    };
    const to = config.to.map((address, i) => read(address, `to.${i}`, z.email()));
    const scrub = scrubber(auth ? [auth.pass, auth.user] : []);
    const primary = config.lang === 'en' ? 'en' : 'zh';
    return {
      kind: 'email',
      async send(notification, signal) {
        if (signal?.aborted) return failed('aborted before the SMTP server was contacted', true);
        const { timeoutMs } = config;
        // One connection per message: notifications are rare and a pool would outlive a worker's abort.
        const transport = nodemailer.createTransport({
          host: config.host,
          port: config.port ?? (config.secure ? 465 : 587),
          secure: config.secure,
          ...(auth ? { auth } : {}),
          connectionTimeout: timeoutMs,
          greetingTimeout: timeoutMs,
          socketTimeout: timeoutMs,
          disableFileAccess: true,
          disableUrlAccess: true,
        });
        const limit = deadline(timeoutMs, signal);
        const sending = transport.sendMail({
          from: config.from,
          to,
          subject: headline(notification, primary),
          text: plainText(notification, config.lang),
          html: html(notification, config),
          messageId: messageIdFor(notification.idempotencyKey, config.from),
          headers: {
            'X-Pingan-Idempotency-Key': notification.idempotencyKey,
            'X-Pingan-Alert-Id': notification.alertId,
          },
          priority: notification.severity === 'critical' ? 'high' : 'normal',
        });
        // nodemailer cannot be cancelled: past the deadline its late answer is dropped.
        sending.catch(() => {});
        let onAbort = () => {};
        const aborted = new Promise<never>((_, reject) => {
          onAbort = () => reject(new Error('aborted'));
          limit.signal.addEventListener('abort', onAbort, { once: true });
        });
        try {
          const info = await Promise.race([sending, aborted]);
          // Some recipients refused is still a delivery: those who got it can act. None is a refusal.
          if (info.accepted.length === 0) return failed('SMTP server accepted no recipient', false);
          return { ok: true, answer: quote(`${info.accepted.length} accepted: ${info.response}`, scrub) };
        } catch (error) {
          return limit.signal.aborted ? limit.failure() : smtpFailure(error, scrub);
        } finally {
          limit.signal.removeEventListener('abort', onAbort);
          transport.close();
        }
      },
    };
  },
  redact: (config) => ({
    ...config,
    to: config.to.map(maskEmail),
    ...(config.auth
      ? { auth: { user: maskSecret(config.auth.user), pass: maskSecret(config.auth.pass) } }
      : {}),
  }),
};
