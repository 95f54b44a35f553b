/** The answers about tokens and the caller's own. */
import { z } from 'zod';
import { PERMISSIONS, ROLES } from '../../../shared/roles.js';
import { instant } from './common.js';

export const sessionAnswer = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  streets: z
    .array(z.string())
    .meta({ description: 'The streets a street token is limited to; empty for every other role.' }),
  permissions: z.array(z.enum(PERMISSIONS)),
});

export const tokenList = z.object({
  tokens: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      role: z.enum(ROLES),
      streets: z.array(z.string()),
      createdAt: instant,
      revokedAt: instant.nullable(),
    }),
  ),
});

export const tokenCreated = z.object({
  id: z.number().int(),
  token: z.string().meta({ description: 'The token itself: shown this once, only its hash is stored.' }),
  note: z.string(),
});

export const tokenRevoked = z.object({ revoked: z.number().int() });
