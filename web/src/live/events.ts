import type { Task, TaskDeletion } from '../api/types';
import type { MembershipNews, ProjectNews } from '../stores/projects';

/** Every event: its id (to drop one heard twice) and what it tells. */
export interface Envelope<T> {
  eventId: number;
  data: T;
}

/** The events the server sends (docs/realtime.md, "Events"); the client sends none. */
export interface ServerEvents {
  'task:created': (message: Envelope<Task>) => void;
  'task:updated': (message: Envelope<Task>) => void;
  'task:deleted': (message: Envelope<Omit<TaskDeletion, 'op'>>) => void;
  'project:updated': (message: Envelope<ProjectNews>) => void;
  'project:deleted': (message: Envelope<{ id: string }>) => void;
  'member:added': (message: Envelope<MembershipNews>) => void;
  'member:updated': (message: Envelope<MembershipNews>) => void;
  'member:removed': (message: Envelope<MembershipNews>) => void;
  'session:ended': (message: Envelope<{ sessionId: string; reason: string }>) => void;
  /** Not an envelope: `{}`, from the instance that may have missed events. */
  resync: (message?: unknown) => void;
}

export type EventName = keyof ServerEvents;

export function isEnvelope(message: unknown): message is Envelope<unknown> {
  return (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { eventId?: unknown }).eventId === 'number' &&
    typeof (message as { data?: unknown }).data === 'object'
  );
}

/**
 * The ids of the events applied, to drop one heard again (delivery is at least once). Ids grow
 * within a project, not across projects, so they are remembered, not compared: the most
 * recent `capacity` of them, which a repeat always falls within.
 */
export class SeenEvents {
  private readonly ids = new Set<number>();

  constructor(private readonly capacity = 2000) {}

  /** True the first time an id is offered, false for a repeat. */
  first(eventId: number): boolean {
    if (this.ids.has(eventId)) return false;
    this.ids.add(eventId);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
    return true;
  }
}
