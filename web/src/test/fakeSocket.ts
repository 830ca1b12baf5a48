import type { LiveSocket, OpenSocket } from '../live/connection';

type Listener = (...args: unknown[]) => void;
type AuthCallback = (callback: (data: { token: string }) => void) => void;

/**
 * A stand-in for the Socket.IO client socket in tests: records what the app asks of it, and
 * plays the server's part (accept, refuse, drop, send events) on demand.
 */
export class FakeSocket {
  connected = false;
  active = false;
  connects = 0;
  disconnects = 0;
  origin = '';
  options: Parameters<OpenSocket>[1] = {};
  private readonly listeners = new Map<string, Listener[]>();

  readonly open: OpenSocket = (origin, options) => {
    this.origin = origin;
    this.options = options;
    return this as unknown as LiveSocket;
  };

  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  connect(): this {
    this.connects++;
    this.active = true;
    return this;
  }

  disconnect(): this {
    this.disconnects++;
    const was = this.connected;
    this.connected = false;
    this.active = false;
    if (was) this.fire('disconnect', 'io client disconnect');
    return this;
  }

  /** The token the client presents on its next connect. */
  token(): Promise<string> {
    const auth = this.options.auth as AuthCallback;
    return new Promise((resolve) => auth(({ token }) => resolve(token)));
  }

  /** The server takes the connection. */
  accept(): void {
    this.connected = true;
    this.active = true;
    this.fire('connect');
  }

  /** The server refuses it (a bad token, an ended session): Socket.IO does not try again. */
  refuse(message: string): void {
    this.connected = false;
    this.active = false;
    this.fire('connect_error', new Error(message));
  }

  /** The connection drops (the network); Socket.IO reconnects by itself. */
  drop(): void {
    this.connected = false;
    this.fire('disconnect', 'transport close');
  }

  /** The server sends an event. */
  emit(event: string, message?: unknown): void {
    this.fire(event, message);
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}
