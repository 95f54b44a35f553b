/**
 * The wall's words, in Chinese (default) and English (`?lang=en`). Names of streets, indicators and
 * grades come from the city configuration in both languages; this holds only the display's own text.
 */
import { FEED_CATALOGUE, FEEDS, type FeedName } from '$shared/feeds/index.js';
import type { FeedFreshness, TickerItem } from '$shared/live.js';
import type { Severity } from '$shared/alerts/types.js';
import type { Block } from '$shared/index/types.js';

export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];

type FeedStatus = FeedFreshness['status'];

/** The last day the service halls worked, as the windows panel names it. */
export interface WorkingDay {
  yesterday: boolean;
  month: number;
  date: number;
}

/** Each feed's label on the wall: its definition's short name (shared/feeds). */
const feedNamesIn = (lang: Lang) =>
  Object.fromEntries(FEEDS.map((feed) => [feed, FEED_CATALOGUE.short[feed][lang]])) as Record<
    FeedName,
    string
  >;

/** Each ticker feed's label on the ticker: its definition's ticker label, else its short name. */
const tickerFeedsIn = (lang: Lang) =>
  Object.fromEntries(
    Object.entries(FEED_CATALOGUE.ticker).map(([feed, ticker]) => [feed, ticker.label[lang]]),
  ) as Record<TickerItem['feed'], string>;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const zh = {
  title: '平安指数',
  cityIndex: '全市平安指数',
  asOf: '数据时间',
  weightSet: '权重',
  live: '实时',
  connecting: '正在连接',
  reconnecting: '正在重新连接',
  disconnectedSince: (time: string) => `连接中断 · 自 ${time} 起`,
  lastPicture: '显示的是最后一次收到的数据',
  loading: '正在连接平安指数实时数据…',
  trend24h: '近 24 小时',
  trend30d: '近 30 天',
  noTrend: '暂无趋势数据',
  ranking: '街道排名',
  rank: '排名',
  street: '街道',
  index: '指数',
  grade: '等级',
  provisional: '暂定',
  provisionalHint: '部分板块数据不足，指数暂定',
  noStreets: '此令牌没有可查看的街道',
  map: '街道分布',
  schematic: '示意图',
  schematicHint: '未配置街道边界，按固定网格示意，不代表地理位置',
  heatmap: '街道 × 指标 得分热力图',
  heatLegendStale: '过期',
  heatLegendNone: '无数据',
  ticker: '实时事件',
  tickerEmpty: '暂无事件',
  fraud: '反诈中心 · 今日',
  fraudCases: '发案',
  fraudLoss: '损失金额',
  fraudWarnings: '预警',
  fraudDissuaded: '劝阻',
  fraudInterceptions: '止付笔数',
  fraudIntercepted: '止付金额',
  casesUnit: '起',
  windows: '服务窗口 · 今日',
  /** Before the halls open, the last day they worked (yesterday, or a date M/D): heading and aside. */
  windowsOn: (day: WorkingDay) => ({
    title: `服务窗口 · ${day.yesterday ? '昨日' : `${day.month}/${day.date}`}`,
    aside: '单位：分',
  }),
  minutesNote: '单位：分',
  allHalls: '全部',
  hall: '服务大厅',
  /** A hall, service or community the city's configuration does not know. */
  unknown: '未知',
  waiting: '等候',
  meanWait: '平均等候',
  onTime: '按时办结',
  noHalls: '今日暂无服务窗口数据',
  mediation: '人民调解',
  acceptedToday: '今日受理',
  accepted30d: '30 日受理',
  successRate: '调解成功率',
  pending: '待化解',
  alerts: '告警',
  noAlerts: '无告警 · 各数据源正常',
  alertStale: (feed: string) => `${feed}数据过期`,
  alertFailing: (feed: string) => `${feed}接口故障`,
  alertAge: (age: string) => `${age}未更新`,
  alertNever: '从未取到数据',
  operatorAlert: '运维',
  /** Where a screen's alert (wallDown) is: its title names which screen and where it hangs. */
  screenPlace: '大屏',
  severity: { warning: '预警', critical: '严重' } satisfies Record<Severity, string>,
  mute: (minutes: number) => `静音 ${minutes} 分钟`,
  muted: (minutes: number) => `已静音 · 剩 ${minutes} 分钟`,
  muteHint: '停止当前告警的闪烁和提示音；新的告警照常闪烁。再次点击取消静音',
  moreAlerts: (count: number) => `另有 ${count} 条告警未显示`,
  acknowledged: '已确认',
  soundOn: '提示音',
  feeds: '数据源新鲜度',
  dataAge: '数据时效',
  throughput: (perMinute: string) => `${perMinute} 条/分`,
  staleSince: (age: string) => `数据已过期 · ${age}前`,
  staleNever: '数据已过期 · 尚未成功读取',
  ago: (age: string) => `${age}前`,
  feedNames: feedNamesIn('zh'),
  feedStatus: {
    ok: '正常',
    stale: '过期',
    failing: '故障',
    waiting: '等待',
    off: '未启用',
  } satisfies Record<FeedStatus, string>,
  tickerFeeds: tickerFeedsIn('zh'),
  categories: {
    robbery: '抢劫',
    snatching: '抢夺',
    theft: '盗窃',
    vice: '黄赌',
    assault: '伤害',
    fraud: '诈骗',
    dispute: '纠纷',
    traffic: '交通',
    fire: '火情',
    other: '其他',
    case: '电诈发案',
    warning: '预警劝阻',
    interception: '止付拦截',
    /** A mediation case whose type is not one of the city's (shared/vocabulary.ts). */
    unknown: '未知',
  } as Record<string, string>,
  blocks: { positive: '正向', negative: '逆向', public: '公众评价' } satisfies Record<Block, string>,
  otherIndicators: '其他指标',
  blockScore: '板块得分',
  block: '板块',
  indicator: '指标',
  raw: '原始值',
  score: '得分',
  contribution: '贡献',
  pointsLost: '扣分项',
  stale: '过期',
  staleHint: '数据超出统计窗口，未更新',
  indicatorsOf: (street: string) => `${street} · 指标明细`,
  pointsLostTotal: (points: string) => `合计扣分 ${points}`,
  lossOrder: '扣分多的指标在前',
  notCounted: '不计入',
  history: '近 30 天指数',
  historyLoading: '正在读取历史数据…',
  historyEmpty: '暂无历史数据',
  historyFailed: '历史数据读取失败',
  historyChange: (change: string) => `30 天变化 ${change}`,
  historyLeftOut: (count: number) => `另有 ${count} 个暂定值（部分板块数据不足）未绘出`,
  unknownStreet: (code: string) => `没有街道 ${code}，或此令牌无权查看`,
  tokenMissingTitle: '缺少大屏令牌',
  tokenRejectedTitle: '大屏令牌无效',
  forbiddenTitle: '此令牌无权查看平安指数',
  tokenNeeded: '大屏通过网址中的令牌读取数据（/?token=…）。获取令牌有两种方法：',
  tokenFromStart: ['打开', 'npm start', '启动时在终端打印的大屏地址；'] as [string, string, string],
  tokenFromCommand: '或由管理员创建一个大屏令牌：',
  tokenCommand: 'npm run token -- create wall "大屏名称"',
  tokenThenOpen: '然后打开 /?token=<令牌>',
  serverSaid: '服务器答复',
};

type Dictionary = typeof zh;

const en: Dictionary = {
  title: 'Safety Index',
  cityIndex: 'City Safety Index',
  asOf: 'As of',
  weightSet: 'Weights',
  live: 'Live',
  connecting: 'Connecting',
  reconnecting: 'Reconnecting',
  disconnectedSince: (time) => `Disconnected since ${time}`,
  lastPicture: 'showing the last data received',
  loading: 'Connecting to the live Safety Index…',
  trend24h: 'Last 24 hours',
  trend30d: 'Last 30 days',
  noTrend: 'No trend yet',
  ranking: 'Street ranking',
  rank: 'Rank',
  street: 'Street',
  index: 'Index',
  grade: 'Grade',
  provisional: 'Provisional',
  provisionalHint: 'a block lacks data; the index is provisional',
  noStreets: 'This token may see no street',
  map: 'Streets',
  schematic: 'schematic',
  schematicHint: 'No street outlines configured: a fixed grid, not geography',
  heatmap: 'Scores: streets × indicators',
  heatLegendStale: 'stale',
  heatLegendNone: 'no data',
  ticker: 'Events',
  tickerEmpty: 'No events yet',
  fraud: 'Anti-fraud · today',
  fraudCases: 'Cases',
  fraudLoss: 'Losses',
  fraudWarnings: 'Warnings',
  fraudDissuaded: 'Dissuaded',
  fraudInterceptions: 'Interceptions',
  fraudIntercepted: 'Intercepted',
  casesUnit: '',
  windows: 'Service halls',
  windowsOn: (day: WorkingDay) => ({
    title: 'Service halls',
    aside: `${day.yesterday ? 'yesterday' : `${day.date} ${MONTHS[day.month - 1]}`} · min`,
  }),
  minutesNote: 'today · min',
  allHalls: 'All',
  hall: 'Hall',
  unknown: 'unknown',
  waiting: 'Queue',
  meanWait: 'Wait',
  onTime: 'On time',
  noHalls: 'No service-window data today',
  mediation: 'Mediation',
  acceptedToday: 'Accepted today',
  accepted30d: 'Last 30 days',
  successRate: 'Success rate',
  pending: 'Pending',
  alerts: 'Alerts',
  noAlerts: 'No alerts · all feeds fresh',
  alertStale: (feed) => `${feed}: stale`,
  alertFailing: (feed) => `${feed}: failing`,
  alertAge: (age) => `no data for ${age}`,
  alertNever: 'never read',
  operatorAlert: 'Ops',
  screenPlace: 'Screen',
  severity: { warning: 'Warning', critical: 'Critical' },
  mute: (minutes) => `Mute ${minutes} min`,
  muted: (minutes) => `Muted · ${minutes} min left`,
  muteHint:
    'Stops the flashing and the sound of the alerts shown now; a new alert flashes again. Click again to unmute',
  moreAlerts: (count) => `+${count} more alert${count === 1 ? '' : 's'}`,
  acknowledged: 'Acknowledged',
  soundOn: 'Sound',
  feeds: 'Feed freshness',
  dataAge: 'Data age',
  throughput: (perMinute) => `${perMinute}/min`,
  staleSince: (age) => `Stale · data ${age} old`,
  staleNever: 'Stale · never read yet',
  ago: (age) => `${age} ago`,
  feedNames: feedNamesIn('en'),
  feedStatus: { ok: 'OK', stale: 'Stale', failing: 'Failing', waiting: 'Waiting', off: 'Off' },
  tickerFeeds: tickerFeedsIn('en'),
  categories: {
    robbery: 'Robbery',
    snatching: 'Snatching',
    theft: 'Theft',
    vice: 'Vice',
    assault: 'Assault',
    fraud: 'Fraud',
    dispute: 'Dispute',
    traffic: 'Traffic',
    fire: 'Fire',
    other: 'Other',
    case: 'Fraud case',
    warning: 'Warning',
    interception: 'Blocked',
    unknown: 'Unknown',
    邻里纠纷: 'Neighbour',
    婚姻家庭: 'Family',
    劳动争议: 'Labour',
    物业纠纷: 'Property',
    交通事故: 'Accident',
    消费纠纷: 'Consumer',
    土地承包: 'Land',
  },
  blocks: { positive: 'Positive', negative: 'Negative', public: 'Public' },
  otherIndicators: 'Other indicators',
  blockScore: 'block score',
  block: 'Block',
  indicator: 'Indicator',
  raw: 'Value',
  score: 'Score',
  contribution: 'Contrib.',
  pointsLost: 'Points lost',
  stale: 'Stale',
  staleHint: 'older than its window; not updated',
  indicatorsOf: (street) => `${street} · indicators`,
  pointsLostTotal: (points) => `${points} points lost in all`,
  lossOrder: 'most points lost first',
  notCounted: 'not counted',
  history: 'Index, last 30 days',
  historyLoading: 'Reading the history…',
  historyEmpty: 'No history yet',
  historyFailed: 'Could not read the history',
  historyChange: (change) => `${change} over 30 days`,
  historyLeftOut: (count) =>
    `${count} provisional value${count === 1 ? '' : 's'} (a block lacked data) not drawn`,
  unknownStreet: (code) => `No street ${code}, or this token may not see it`,
  tokenMissingTitle: 'This wall has no token',
  tokenRejectedTitle: 'The wall token was refused',
  forbiddenTitle: 'This token may not read the Safety Index',
  tokenNeeded: 'The wall reads its data with a token in its URL (/?token=…). There are two ways to get one:',
  tokenFromStart: ['open the wall URL that', 'npm start', 'printed in its terminal;'],
  tokenFromCommand: 'or have an administrator create a wall token:',
  tokenCommand: 'npm run token -- create wall "lobby screen"',
  tokenThenOpen: 'then open /?token=<token>',
  serverSaid: 'The server said',
};

const dictionaries: Record<Lang, Dictionary> = { zh, en };

export type Messages = Dictionary;

/** The display's words in a language. */
export function messages(lang: Lang): Messages {
  return dictionaries[lang];
}

/** `?lang=en` picks English; anything else (or nothing) is Chinese. */
export function langFrom(params: URLSearchParams): Lang {
  return params.get('lang') === 'en' ? 'en' : 'zh';
}

/** A link to this page in another language: its query with `lang` set (Chinese, the default, drops it). */
export function langQuery(params: URLSearchParams, lang: Lang): string {
  const query = new URLSearchParams(params);
  if (lang === 'zh') query.delete('lang');
  else query.set('lang', lang);
  return `?${query.toString()}`;
}

/** The BCP 47 tag for `<html lang>` and Intl formatting. */
export function localeOf(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}

/** A ticker item's category in words: the known ones translated, anything else as the feed sent it. */
export function categoryLabel(t: Messages, category: string): string {
  return t.categories[category] ?? (category.trim() || '—');
}
