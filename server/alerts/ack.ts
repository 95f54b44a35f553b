/** What an acknowledgement needs, checked the same way for the API, the socket and the signed link. */
import { z } from 'zod';
import type { AlertState } from '../../shared/alerts/types.js';
import { authorise, type AccessDecision, type Principal } from '../../shared/roles.js';
import { withoutNul } from '../../shared/storable.js';

export const MAX_ACK_COMMENT = 500;

/** The comment says what is being done about the alert: required, at most 500 characters. */
export const ackComment = withoutNul(
  z
    .string({
      error: (issue) =>
        issue.input === undefined ? 'is required: say what is being done about the alert' : 'expected text',
    })
    .trim()
    .min(1, 'is required: say what is being done about the alert')
    .max(MAX_ACK_COMMENT, `must be at most ${MAX_ACK_COMMENT} characters`),
);

export const ackBodySchema = z.object({ comment: ackComment });
export const ackCommentSchema = z.object({
  alertId: withoutNul(z.string().min(1, 'is required')),
  comment: ackComment,
});

/**
 * Whether a token may acknowledge an alert: the acknowledge permission, and for a street token an
 * alert of its own streets (feed and screen alerts are for operators, never for a street).
 */
export function mayAcknowledge(principal: Principal, alert: Pick<AlertState, 'street'>): AccessDecision {
  if (alert.street === null && principal.role === 'street')
    return { allowed: false, reason: 'feed and screen alerts are for operators, not for a street token' };
  return authorise(principal, 'acknowledge', alert.street ?? undefined);
}
