/**
 * The alert types of the city's rules: the shapes of alert.ts with the registry's rule ids and
 * details (rules/index.ts). Pure data, JSON-safe (times are ISO strings) so a state can be stored as
 * it is and sent to the wall unchanged.
 */
import type * as alert from './alert.js';
import type { AlertDetail } from './rules/index.js';

export {
  SEVERITIES,
  type Acknowledgement,
  type AlertStatus,
  type Audience,
  type EffectKind,
  type Severity,
} from './alert.js';
export { RULES, type AlertDetail, type RuleId } from './rules/index.js';

/** One rule on one key at one time. */
export type Observation = alert.Observation<AlertDetail>;
/** One alert of the city's rules. */
export type AlertState = alert.AlertState<AlertDetail>;
export type AlertEffect = alert.AlertEffect<AlertDetail>;
