import { describe, expect, it } from 'vitest';
import { EventBus } from '../../server/events.js';
import { DomainError } from '../../server/domain-errors.js';
import { ApiError, errorHandler, refused } from '../../server/http/errors.js';
import { Hono } from 'hono';
import pino from 'pino';

const silent = pino({ level: 'silent' });

describe('the internal event bus', () => {
  it('runs listeners in the order they subscribed, and emit waits for all of them', async () => {
    const bus = new EventBus(silent);
    const heard: string[] = [];
    bus.on('token.revoked', async ({ tokenId }) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      heard.push(`first ${tokenId}`);
    });
    bus.on('token.revoked', ({ tokenId }) => {
      heard.push(`second ${tokenId}`);
    });
    await bus.emit('token.revoked', { tokenId: 7 });
    expect(heard).toEqual(['first 7', 'second 7']);
  });

  it('a listener that fails is logged, the others still run, and the emitter does not fail', async () => {
    const logged: unknown[] = [];
    const bus = new EventBus({ error: (...args: unknown[]) => void logged.push(args) });
    const heard: number[] = [];
    bus.on('notification.queued', () => {
      throw new Error('the dispatcher is away');
    });
    bus.on('notification.queued', ({ count }) => void heard.push(count));
    await expect(bus.emit('notification.queued', { count: 3 })).resolves.toBeUndefined();
    expect(heard).toEqual([3]);
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain('notification.queued');
  });

  it('stops calling a listener that stopped listening, and events do not cross names', async () => {
    const bus = new EventBus(silent);
    const heard: string[] = [];
    const stop = bus.on('alerts.changed', () => void heard.push('alerts'));
    bus.on('index.changed', () => void heard.push('index'));
    await bus.emit('alerts.changed', {});
    stop();
    await bus.emit('alerts.changed', {});
    await bus.emit('index.changed', {});
    expect(heard).toEqual(['alerts', 'index']);
  });
});

describe('refusals as HTTP answers', () => {
  const app = new Hono();
  app.onError(errorHandler(silent));
  app.get('/domain/:refusal', (c) => {
    throw new DomainError(c.req.param('refusal') as never, 'said by the service', { problems: ['x: y'] });
  });

  it.each([
    ['not_found', 404, 'not_found'],
    ['forbidden', 403, 'forbidden'],
    ['invalid', 400, 'bad_request'],
    ['no_weight_set', 409, 'no_weight_set'],
    ['month_not_over', 409, 'month_not_over'],
    ['pending', 409, 'pending'],
    ['acknowledged', 409, 'acknowledged'],
    ['resolved', 409, 'resolved'],
  ])('a service refusing %s answers %i with code %s', async (refusal, status, code) => {
    const response = await app.request(`/domain/${refusal}`);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({
      code,
      message: 'said by the service',
      details: { problems: ['x: y'] },
    });
    const error = refused(refusal as never, 'again');
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.code]).toEqual([status, code]);
  });
});
