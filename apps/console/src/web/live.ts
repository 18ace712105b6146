/**
 * Live updates, the console's one module that knows them: while a page is on screen it follows what that page shows
 * over the gateway's graphql-ws endpoint (`createLiveClient`), and on any change (or a RESYNC) it calls the page's own
 * `refresh()`, which reads it again: a board follows `orderBoardChanged` of the staff member's unit, an order's page
 * `orderChanged` of that order, the resident's list their inbox (`notificationAdded`: every move of their orders
 * reaches them there).
 */
import { createLiveClient, LIVE_CLOSE_CODES, LiveClient, NotificationAddedDocument, OrderBoardChangedDocument, OrderChangedDocument } from '@kz/client';
import { gatewayUrl, Session } from './session';
import type { View } from './view';

export interface Live {
  /** Follows what `view` shows, instead of what the page before it showed. */
  follow(view: View): void;
  dispose(): void;
}

/** `http(s)://host/graphql` → `ws(s)://host/graphql`, resolved against the page for a relative gateway URL. */
function liveUrl(url: string): string {
  const live = new URL(url, location.href);
  live.protocol = live.protocol === 'https:' ? 'wss:' : 'ws:';
  return live.toString();
}

/** One refresh at a time; changes arriving meanwhile cause one more, not one each. */
function coalesced(refresh: () => Promise<void>): () => void {
  let running: Promise<void> | null = null;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = refresh()
      .catch(() => undefined) // the page shows its own errors on the next refresh the user asks for
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          run();
        }
      });
  };
  return run;
}

/** The live connection of a signed-in person: opened at the first page that follows something, one socket per tab. */
export function startLive(session: Session, onTokenRefused: () => void): Live {
  let client: LiveClient | null = null;
  let stop: (() => void) | null = null;
  const connect = (): LiveClient =>
    (client ??= createLiveClient({
      url: liveUrl(gatewayUrl),
      token: session.token,
      locale: 'zh-CN',
      persisted: true,
      // The token expired (or was refused): the person signs in again.
      onClosed: (code) => code === LIVE_CLOSE_CODES.UNAUTHENTICATED && onTokenRefused(),
    }));
  return {
    follow(view) {
      stop?.();
      stop = null;
      const refresh = coalesced(() => view.refresh());
      const sink = { next: refresh, error: () => undefined };
      if (view.orderId) stop = connect().subscribe(OrderChangedDocument, { id: view.orderId }, sink);
      else if (view.board && session.staffUnitId) stop = connect().subscribe(OrderBoardChangedDocument, { unitId: session.staffUnitId }, sink);
      else if (view.inbox) stop = connect().subscribe(NotificationAddedDocument, {}, sink);
    },
    dispose() {
      stop?.();
      stop = null;
      void client?.dispose();
      client = null;
    },
  };
}
