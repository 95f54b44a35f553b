/**
 * The wall and the street pages: the notification goes to the live hub, which pushes it over
 * Socket.IO. The hub's `emit` is handed in at construction, so this file knows nothing of sockets.
 * Nobody may be watching; that is still a delivery — the other channels reach people.
 */
import { z } from 'zod';
import { delivered, failed, type Channel, type ChannelDefinition } from './channel.js';
import { ConfigError } from '../../config/env.js';

export const socketConfigSchema = z.strictObject({});
export type SocketConfig = z.infer<typeof socketConfigSchema>;

export const socketChannel: ChannelDefinition<SocketConfig> = {
  kind: 'socket',
  configSchema: socketConfigSchema,
  create(_config, context): Channel {
    const emit = context.emit;
    if (!emit) throw new ConfigError('socket channel', ["emit: the live hub's emit function is required"]);
    return {
      kind: 'socket',
      async send(notification, signal) {
        if (signal?.aborted) return failed('aborted before the live hub was told', true);
        try {
          await emit(notification);
          return delivered;
        } catch (error) {
          // The hub not being ready (e.g. during start-up) passes; trying again is right.
          return failed(
            `live hub emit failed: ${error instanceof Error ? error.message : String(error)}`,
            true,
          );
        }
      },
    };
  },
  redact: (config) => ({ ...config }),
};
