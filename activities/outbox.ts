import type { NotificationRequest } from '../workflows/contracts';

/**
 * Where notifications that need no acknowledgement go (warnings, resolutions, "management
 * informed"). Implementations must be idempotent by `request.key`. The worker's is
 * `RosterNotifier` (activities/paging.ts): each line's on-call people, on their first channel,
 * through the channels of activities/channels.ts (the outbox file when no provider is set).
 */
export interface Notifier {
  /**
   * Delivers one notification. Retry contract: a transient failure throws a plain Error and
   * the activity is retried with backoff; delivering a key a second time is a no-op that
   * answers `duplicate: true`, so a retry after a crash never notifies twice.
   */
  deliver(request: NotificationRequest): Promise<{ duplicate: boolean; channel: string; recipients?: string[] }>;
}
