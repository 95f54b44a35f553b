/** The answers of administration: the city configuration in force, its versions, the file's state. */
import { z } from 'zod';
import { cityConfigSchema, type CityConfig } from '../../../shared/city.js';
import type { FileStatus } from '../../config/store.js';
import type { ConfigSource, ConfigVersionSummary } from '../../repositories/city-config.js';
import { instant } from './common.js';
import type { AsSent } from './feeds.js';

const SOURCES = ['file', 'reload', 'admin'] as const satisfies readonly ConfigSource[];

const configVersion = z
  .object({
    id: z.number().int(),
    source: z.enum(SOURCES).meta({
      description:
        '`file`: seeded at start from a changed file; `reload`: the file read again (SIGHUP, POST /api/admin/reload); `admin`: a section changed with PUT /api/admin/config/{section}.',
    }),
    sections: z
      .array(cityConfigSchema.keyof())
      .meta({ description: 'The sections that differ from the version before (all of them for the first).' }),
    actor: z.string().meta({ description: 'Who made it: a token’s name, or `configuration file`.' }),
    reason: z.string(),
    at: instant,
  })
  .meta({
    id: 'ConfigVersion',
    description: 'A stored version of the city configuration; the newest is in force.',
  }) satisfies z.ZodType<AsSent<ConfigVersionSummary>>;

const fileStatus = z
  .object({
    path: z.string().nullable().meta({
      description: 'The configuration file; null when the server was given its configuration directly.',
    }),
    status: z.enum(['ok', 'refused']).meta({
      description: '`refused`: the file last read was invalid, and the running configuration was kept.',
    }),
    problems: z
      .array(z.string())
      .meta({ description: 'Why the file was refused: each a key path and its reason.' }),
    checkedAt: instant.nullable(),
  })
  .meta({ description: 'How the configuration file last read stands.' }) satisfies z.ZodType<
  AsSent<FileStatus>
>;

const cityConfig = cityConfigSchema.meta({
  id: 'CityConfig',
  description:
    'The city configuration in force, as the configuration file writes it (shared/city.ts), every default filled in. Possible secrets are masked as `***`: a feed URL’s path and query values, literal header and query values (an `env:NAME` reference is shown: it holds nothing). A section sent back with a masked value unchanged keeps the stored one.',
}) satisfies z.ZodType<CityConfig>;

export const configAnswer = z.object({ version: configVersion, config: cityConfig, file: fileStatus });

export const configChangedAnswer = configAnswer.extend({
  changed: z
    .boolean()
    .meta({ description: 'false: the configuration was already so; no version was stored.' }),
});

export const configVersionsAnswer = z.object({
  versions: z.array(configVersion).meta({ description: 'Newest first.' }),
});
