/**
 * The wall's words, in Chinese (default) and English (`?lang=en`). Names of streets, indicators and
 * grades come from the city configuration in both languages; this holds only the display's own text.
 */
import type { Block } from '$shared/index/types.js';

export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];

const zh = {
  title: '平安指数',
  cityIndex: '全市平安指数',
  asOf: '数据时间',
  weightSet: '权重',
  live: '实时',
  refreshEvery: (seconds: number) => `每 ${seconds} 秒刷新`,
  disconnectedSince: (time: string) => `连接中断 · 自 ${time} 起`,
  lastPicture: '显示的是最后一次收到的数据',
  loading: '正在读取平安指数…',
  unreachable: '暂时无法连接服务器，稍后自动重试',
  ranking: '街道排名',
  rank: '排名',
  street: '街道',
  index: '指数',
  grade: '等级',
  provisional: '暂定',
  provisionalHint: '部分板块数据不足，指数暂定',
  noStreets: '此令牌没有可查看的街道',
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
  selectHint: '点击街道查看指标明细',
  indicatorsOf: (street: string) => `${street} · 指标明细`,
  pointsLostTotal: (points: string) => `合计扣分 ${points}`,
  axisNote: '指数条从左端刻度起画；竖线为等级分界',
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
  refreshEvery: (seconds) => `refreshed every ${seconds} s`,
  disconnectedSince: (time) => `Disconnected since ${time}`,
  lastPicture: 'showing the last data received',
  loading: 'Loading the Safety Index…',
  unreachable: 'Cannot reach the server; retrying automatically',
  ranking: 'Street ranking',
  rank: 'Rank',
  street: 'Street',
  index: 'Index',
  grade: 'Grade',
  provisional: 'Provisional',
  provisionalHint: 'a block lacks data; the index is provisional',
  noStreets: 'This token may see no street',
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
  selectHint: 'Select a street to see its indicators',
  indicatorsOf: (street) => `${street} · indicators`,
  pointsLostTotal: (points) => `${points} points lost in all`,
  axisNote: 'Bars start at the left tick; lines mark the grade bands',
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

/** The BCP 47 tag for `<html lang>` and Intl formatting. */
export function localeOf(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}
