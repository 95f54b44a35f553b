/**
 * What the admin pages share: the token, the running configuration (`GET /api/admin/config`), the
 * streets with the city's time zone and the indicator catalogue, read once and replaced by the
 * answer of every save. A section's own lists (tokens, subscriptions, versions) are its own.
 */
import { ApiFailure, getJson, type IndicatorCatalogue, type Regions } from '../api.js';
import { requestJson, type AdminConfig, type ConfigSection, type SavedConfig } from './api.js';

export type AdminStatus =
  'loading' | 'ready' | 'no-token' | 'token-refused' | 'forbidden' | 'network' | 'failed';

export interface AdminData {
  admin: AdminConfig;
  regions: Regions;
  catalogue: IndicatorCatalogue;
}

/** What a failure means to a page: the status it shows, with retry where it may help. */
export function statusOf(error: unknown): Exclude<AdminStatus, 'loading' | 'ready' | 'no-token'> {
  if (error instanceof ApiFailure) {
    if (error.kind === 'token') return 'token-refused';
    if (error.kind === 'forbidden') return 'forbidden';
    if (error.kind === 'network') return 'network';
  }
  return 'failed';
}

export const problemOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class AdminStore {
  status = $state<AdminStatus>('loading');
  problem = $state<string | null>(null);
  data = $state.raw<AdminData | null>(null);
  readonly token: string | null;
  private serial = 0;

  constructor(token: string | null) {
    this.token = token;
  }

  /** A request with this page's token. */
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return requestJson<T>(method, path, this.token ?? '', body);
  }

  async load(): Promise<void> {
    const serial = ++this.serial;
    if (!this.token) {
      this.status = 'no-token';
      return;
    }
    this.status = 'loading';
    this.problem = null;
    try {
      // The admin's configuration first: a token that may not administer is told so, whatever it may read.
      const admin = await getJson<AdminConfig>('/api/admin/config', this.token);
      const [regions, catalogue] = await Promise.all([
        getJson<Regions>('/api/streets', this.token),
        getJson<IndicatorCatalogue>('/api/indicators', this.token),
      ]);
      if (serial !== this.serial) return;
      this.data = { admin, regions, catalogue };
      this.status = 'ready';
    } catch (error) {
      if (serial !== this.serial) return;
      this.problem = problemOf(error);
      this.status = statusOf(error);
    }
  }

  /** Replaces one section; on success the running configuration is the answer's. Rejects with the failure. */
  async save(section: ConfigSection, value: unknown, reason: string): Promise<SavedConfig> {
    const saved = await this.request<SavedConfig>('PUT', `/api/admin/config/${section}`, { value, reason });
    if (this.data)
      this.data = {
        ...this.data,
        admin: { ...this.data.admin, version: saved.version, config: saved.config },
      };
    return saved;
  }

  /** Reads the configuration again (after a reload of the file), keeping what is shown on failure. */
  async refresh(): Promise<void> {
    if (!this.token || !this.data) return this.load();
    const admin = await getJson<AdminConfig>('/api/admin/config', this.token);
    this.data = { ...this.data, admin };
  }
}
