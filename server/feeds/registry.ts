/** The adapter of every feed. */
import type { FeedName } from '../../shared/feeds/index.js';
import type { FeedAdapter } from './adapter.js';
import { fraudAdapter } from './fraud.js';
import { incidentAdapter } from './incident.js';
import { mediationAdapter } from './mediation.js';
import { serviceWindowAdapter } from './service-window.js';
import { surveyAdapter } from './survey.js';

export const feedAdapters: { [F in FeedName]: FeedAdapter<F> } = {
  incident: incidentAdapter,
  fraud: fraudAdapter,
  'service-window': serviceWindowAdapter,
  mediation: mediationAdapter,
  survey: surveyAdapter,
};

export const adapterOf = <F extends FeedName>(feed: F): FeedAdapter<F> => feedAdapters[feed];
