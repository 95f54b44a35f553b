/** Every channel kind, and building one from its configuration. */
import { describeIssues } from '../../../shared/city.js';
import { ConfigError } from '../../config/env.js';
import {
  CHANNEL_KINDS,
  type Channel,
  type ChannelContext,
  type ChannelDefinition,
  type ChannelKind,
} from './channel.js';
import { dingtalkChannel } from './dingtalk.js';
import { emailChannel } from './email.js';
import { smsChannel } from './sms.js';
import { socketChannel } from './socket.js';
import { webhookChannel } from './webhook.js';
import { wecomChannel } from './wecom.js';

// Each definition is only ever given what its own schema parsed (method parameters are bivariant).
export const channelDefinitions: { readonly [K in ChannelKind]: ChannelDefinition } = {
  socket: socketChannel,
  webhook: webhookChannel,
  wecom: wecomChannel,
  dingtalk: dingtalkChannel,
  email: emailChannel,
  sms: smsChannel,
};

function definitionOf(kind: string): ChannelDefinition {
  if (!(CHANNEL_KINDS as readonly string[]).includes(kind))
    throw new ConfigError('channel configuration', [`kind: expected one of ${CHANNEL_KINDS.join(', ')}`]);
  return channelDefinitions[kind as ChannelKind];
}

function parse(definition: ChannelDefinition, config: unknown): unknown {
  const parsed = definition.configSchema.safeParse(config);
  if (!parsed.success)
    throw new ConfigError(`${definition.kind} channel configuration`, describeIssues(parsed.error));
  return parsed.data;
}

/**
 * A channel from its configuration, validated by the kind's schema; a malformed configuration or a
 * missing `env:NAME` variable throws a ConfigError naming the path and the reason.
 */
export function createChannel(kind: ChannelKind, config: unknown, context: ChannelContext = {}): Channel {
  const definition = definitionOf(kind);
  return definition.create(parse(definition, config), context);
}

/** The configuration with every secret masked, safe to log. Throws like `createChannel` when malformed. */
export function redactChannelConfig(kind: ChannelKind, config: unknown): Record<string, unknown> {
  const definition = definitionOf(kind);
  return definition.redact(parse(definition, config));
}
