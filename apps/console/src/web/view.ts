import type { Client } from '@kz/client';
import type { Session } from './session';

/**
 * What a page of the console shows. `refresh()` reads it again from the gateway: the refresh button calls it, and so
 * will the live module when a change of the order or board in view arrives.
 */
export interface View {
  title: string;
  element: HTMLElement;
  refresh(): Promise<void>;
  /** The order on screen, if the page shows one. */
  orderId?: string;
  /** The board on screen: a station's or the whole district's. */
  board?: boolean;
  /** The page follows the person's own orders, whose moves reach them in their inbox. */
  inbox?: boolean;
}

/**
 * A page's refresh that renders only the answer of its latest call: a slower answer to an older call (the refresh
 * button, a live change) never overwrites a newer one.
 */
export function latestOnly<T>(read: () => Promise<T>, render: (data: T) => void | Promise<void>): () => Promise<void> {
  let calls = 0;
  return async () => {
    const call = ++calls;
    const data = await read();
    if (call === calls) await render(data);
  };
}

/** What every page gets: who is signed in, their client, and how to act and report. */
export interface Context {
  session: Session;
  client: Client;
  go(hash: string): void;
  /**
   * Runs a user's action: after success refreshes the page (or opens `next`, when the action takes the order out of
   * the page's hands) and says `done`; after a failure shows the error.
   */
  act(action: () => Promise<unknown>, done: string, next?: string): Promise<void>;
}
