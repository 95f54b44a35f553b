/**
 * The words of acknowledging an alert — the page a notification's link opens and the street page's
 * alerts — in Chinese (default) and English (`?lang=en`). A street head reads them on a phone.
 */
import type { AlertStatus, Severity } from '$shared/alerts/types.js';
import type { LiveNotification } from '$shared/live.js';
import type { Lang } from './i18n.js';

/** What the page says about a refusal: a headline, and what to do about it. */
interface Refusal {
  title: string;
  hint: string;
}

const zh = {
  pageTitle: '告警确认',
  loading: '正在读取告警…',
  severity: { warning: '预警', critical: '严重' } satisfies Record<Severity, string>,
  status: {
    pending: '待触发',
    firing: '告警中 · 待确认',
    acknowledged: '已确认',
    resolved: '已解除',
  } satisfies Record<AlertStatus, string>,
  street: '街道',
  feed: '数据源',
  firedAt: '触发时间',
  why: '原因',
  commentLabel: '处置情况（必填）',
  commentPlaceholder: '例如：已派民警到场处置，现场已控制',
  commentEmpty: '请填写处置情况后再确认',
  commentTooLong: (max: number) => `处置情况不能超过 ${max} 字`,
  confirm: '确认告警',
  confirming: '正在提交…',
  confirmed: '告警已确认',
  acknowledgedBy: (by: string, at: string) => `${by} 于 ${at} 确认`,
  comment: '处置情况',
  linkExpires: (at: string) => `链接有效期至 ${at}`,
  linkExpiredAt: (at: string) => `此链接已于 ${at} 失效。`,
  serverSaid: '服务器答复',
  serverSaidHint: '技术详情（英文），可提供给管理员',
  retry: '重试',
  openAlerts: '本街道告警',
  noOpenAlerts: '本街道当前无告警',
  acknowledge: '确认…',
  cancel: '取消',
  dismiss: '关闭',
  notificationKinds: {
    fire: '新告警',
    repeat: '告警提醒',
    escalate: '告警升级',
    resolve: '告警解除',
  } satisfies Record<LiveNotification['kind'], string>,
  refusals: {
    link_invalid: {
      title: '链接无效',
      hint: '链接可能被截断或修改。请从通知中重新打开，或在街道页面确认。',
    },
    link_expired: {
      title: '链接已过期',
      hint: '请在街道页面确认此告警，或使用最新通知中的链接。',
    },
    acknowledged: { title: '此告警已被确认', hint: '无需再次确认。' },
    resolved: { title: '此告警已解除', hint: '情况已恢复正常，无需确认。' },
    pending: { title: '此告警尚未触发', hint: '告警触发后才能确认。' },
    not_found: { title: '没有这条告警', hint: '请从通知中重新打开链接。' },
    forbidden: { title: '无权确认此告警', hint: '此令牌不能确认告警，或此告警不属于您负责的街道。' },
    bad_request: { title: '无法提交', hint: '请检查处置情况后重试。' },
    network: { title: '无法连接服务器', hint: '请检查网络后重试。' },
    timeout: { title: '服务器没有应答', hint: '请稍后重试。' },
    offline: { title: '与服务器的连接已断开', hint: '正在重新连接，请稍后重试。' },
    starting: { title: '服务器正在启动', hint: '请稍等片刻后重试。' },
    too_large: { title: '内容过长', hint: '请缩短处置情况后重试。' },
    internal: { title: '服务器出错', hint: '请稍后重试；如仍失败，请联系管理员。' },
    server: { title: '确认失败', hint: '请稍后重试。' },
  } satisfies Record<string, Refusal>,
};

type AckDictionary = typeof zh;

const en: AckDictionary = {
  pageTitle: 'Acknowledge alert',
  loading: 'Reading the alert…',
  severity: { warning: 'Warning', critical: 'Critical' },
  status: {
    pending: 'Pending',
    firing: 'Firing · not acknowledged',
    acknowledged: 'Acknowledged',
    resolved: 'Resolved',
  },
  street: 'Street',
  feed: 'Feed',
  firedAt: 'Fired',
  why: 'Why',
  commentLabel: 'What is being done (required)',
  commentPlaceholder: 'e.g. officers sent to the scene, under control',
  commentEmpty: 'Say what is being done before you confirm',
  commentTooLong: (max) => `At most ${max} characters`,
  confirm: 'Acknowledge',
  confirming: 'Sending…',
  confirmed: 'Alert acknowledged',
  acknowledgedBy: (by, at) => `by ${by} at ${at}`,
  comment: 'Comment',
  linkExpires: (at) => `This link is valid until ${at}`,
  linkExpiredAt: (at) => `It stopped working at ${at}.`,
  serverSaid: 'The server said',
  serverSaidHint: 'technical details, for an administrator',
  retry: 'Try again',
  openAlerts: 'Alerts of this street',
  noOpenAlerts: 'No alerts for this street',
  acknowledge: 'Acknowledge…',
  cancel: 'Cancel',
  dismiss: 'Dismiss',
  notificationKinds: { fire: 'New alert', repeat: 'Reminder', escalate: 'Escalated', resolve: 'Resolved' },
  refusals: {
    link_invalid: {
      title: 'This link is not valid',
      hint: 'It may have been cut short or changed. Open it from the notification again, or acknowledge on the street page.',
    },
    link_expired: {
      title: 'This link has expired',
      hint: 'Acknowledge the alert on the street page, or use the link of the latest notification.',
    },
    acknowledged: { title: 'Already acknowledged', hint: 'Nothing more to do.' },
    resolved: { title: 'This alert has resolved', hint: 'Back to normal: nothing to acknowledge.' },
    pending: { title: 'This alert has not fired yet', hint: 'It can be acknowledged once it fires.' },
    not_found: { title: 'No such alert', hint: 'Open the link from the notification again.' },
    forbidden: {
      title: 'You may not acknowledge this alert',
      hint: 'This token may not acknowledge alerts, or the alert is not about your street.',
    },
    bad_request: { title: 'Could not send', hint: 'Check the comment and try again.' },
    network: { title: 'The server cannot be reached', hint: 'Check the network and try again.' },
    timeout: { title: 'The server did not answer', hint: 'Try again in a moment.' },
    offline: { title: 'Disconnected from the server', hint: 'Reconnecting; try again in a moment.' },
    starting: { title: 'The server is starting', hint: 'Try again in a moment.' },
    too_large: { title: 'Too long', hint: 'Shorten the comment and try again.' },
    internal: {
      title: 'The server failed',
      hint: 'Try again in a moment; if it keeps failing, tell an administrator.',
    },
    server: { title: 'Acknowledgement failed', hint: 'Try again in a moment.' },
  },
};

const dictionaries: Record<Lang, AckDictionary> = { zh, en };

export type AckMessages = AckDictionary;

export function ackMessages(lang: Lang): AckMessages {
  return dictionaries[lang];
}

/**
 * Every code a refusal can carry on the acknowledgement page and the street page: the server's
 * (ack.ts) and the client's own. Each has words in both languages.
 */
export const REFUSAL_CODES = [
  'link_invalid',
  'link_expired',
  'acknowledged',
  'resolved',
  'pending',
  'not_found',
  'forbidden',
  'bad_request',
  'starting',
  'too_large',
  'internal',
  'network',
  'timeout',
  'offline',
  'server',
] as const satisfies readonly (keyof AckDictionary['refusals'])[];

/**
 * The words for a refusal's code, in the page's language: a code the page does not know reads as a
 * failure. What the server said (in English) is only a detail under them.
 */
export function refusalWords(t: AckMessages, code: string): Refusal {
  return (t.refusals as Record<string, Refusal>)[code] ?? t.refusals.server;
}
