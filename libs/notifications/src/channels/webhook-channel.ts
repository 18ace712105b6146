import { createHmac } from 'node:crypto';
import type { Channel, OutboundMessage, SendOutcome } from './channel';
import { classifyStatus } from './channel';
import { traceHeaders, withSpan } from '@kz/telemetry';

export const WEBHOOK_SIGNATURE_HEADER = 'x-kz-signature';
export const WEBHOOK_TIMESTAMP_HEADER = 'x-kz-timestamp';

export interface WebhookOptions {
  url: string;
  /** NOTIFICATION_WEBHOOK_SECRET: the gateway checks the body's HMAC with it. */
  secret: string;
  timeoutMs: number;
  now?: () => number;
}

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`, as the gateway recomputes it. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Seconds (or an HTTP date) of a `Retry-After` header, in ms; undefined when absent or unreadable. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * An SMS or WeChat template-message gateway behind an HTTP webhook. Each message is one POST of JSON
 * `{to, channel, template, params, title, body, urgent, eventId, deliveryId, timestamp}`, signed with
 * `x-kz-signature: sha256=<HMAC of the body>` and `x-kz-timestamp` (the same instant as `timestamp` in the signed
 * body, so a captured request cannot pass for a later one). `deliveryId` lets the gateway drop a repeat: a send whose
 * answer was lost is tried again. The answer is classified: 2xx sent; 5xx, 408, 429, a timeout or no connection
 * transient; anything else permanent.
 */
export class WebhookChannel implements Channel {
  readonly name = 'webhook';
  private readonly now: () => number;

  constructor(private readonly options: WebhookOptions) {
    this.now = options.now ?? Date.now;
  }

  async send(message: OutboundMessage): Promise<SendOutcome> {
    const timestamp = new Date(this.now()).toISOString();
    const body = JSON.stringify({
      to: message.to,
      channel: message.channel,
      template: message.template,
      params: message.params,
      title: message.title,
      body: message.body,
      urgent: message.urgent,
      eventId: message.eventId,
      deliveryId: message.deliveryId,
      timestamp,
    });
    // With tracing on, the call is a client span and carries its `traceparent` (outside the signed body).
    return withSpan('webhook POST', { kind: 'client', attributes: { 'kz.channel': message.channel, 'kz.delivery_id': message.deliveryId } }, async (span) => {
      const outcome = await this.post(body, timestamp);
      span.set('kz.outcome', outcome.outcome);
      return outcome;
    });
  }

  private async post(body: string, timestamp: string): Promise<SendOutcome> {
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(this.options.secret, body),
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          ...traceHeaders(),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') return { outcome: 'transient', error: `no answer within ${this.options.timeoutMs} ms` };
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { outcome: 'transient', error: `unreachable (${cause ?? (error as Error).message})` };
    }
    const text = await response.text().catch(() => '');
    const verdict = classifyStatus(response.status);
    if (verdict === 'sent') return { outcome: 'sent' };
    const error = `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    if (verdict === 'permanent') return { outcome: 'permanent', error };
    return { outcome: 'transient', error, retryAfterMs: retryAfterMs(response.headers.get('retry-after'), this.now()) };
  }
}
