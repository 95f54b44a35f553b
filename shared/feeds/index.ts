/**
 * The feeds: the list of their definitions (one file each, beside this one) and the tables derived
 * from it. A feed is added by its definition file and one line here; the server's part is its
 * adapter and table (server/feeds/registry.ts), the simulator's its rhythm and lifecycle.
 */
import { feedCatalogue, type ItemsOf, type TickerFeedOf } from './catalogue.js';
import { fraud } from './fraud.js';
import { incident } from './incident.js';
import { mediation } from './mediation.js';
import { serviceWindow } from './service-window.js';
import { survey } from './survey.js';

/**
 * Every feed, in the order the wall lists them and the simulator draws them: a feed's place seeds
 * its simulated items, so a new feed goes at the end.
 */
export const FEED_DEFINITIONS = [incident, fraud, serviceWindow, mediation, survey] as const;

export const FEED_CATALOGUE = feedCatalogue(FEED_DEFINITIONS);

type Definitions = (typeof FEED_DEFINITIONS)[number];

export type FeedName = Definitions['name'];
export const FEEDS: readonly FeedName[] = FEED_CATALOGUE.feeds;

/** A feed's definition, by its name. */
export type FeedDefinitionOf<F extends FeedName> = (typeof FEED_CATALOGUE.definitions)[F];
export const definitionOf = <F extends FeedName>(feed: F): FeedDefinitionOf<F> =>
  FEED_CATALOGUE.definitions[feed];

/** Each feed's items, as the contract has them. */
export type FeedItems = ItemsOf<Definitions>;

/** The feeds the wall's ticker shows. */
export type TickerFeed = TickerFeedOf<Definitions>;

export const feedItemSchemas = FEED_CATALOGUE.schemas;
/** The time an item happened, which decides the window it counts in. */
export const EVENT_TIME = FEED_CATALOGUE.eventTime;
/** Every time field of each feed's items. */
export const TIME_FIELDS = FEED_CATALOGUE.timeFields;
/** The fields of each feed that rules may name, by what they hold. */
export const FEED_FIELDS = FEED_CATALOGUE.ruleFields;
/** The free-text fields of each feed's contract and the list each is checked against. */
export const FREE_TEXT_FIELDS = FEED_CATALOGUE.freeText;

export { incidentSchema, type Incident } from './incident.js';
export { fraudSchema, type FraudEvent } from './fraud.js';
