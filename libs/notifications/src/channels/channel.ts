/** Where a notification can go: the in-app inbox (always), and outbound through the message gateway. */
export const CHANNELS = ['INBOX', 'SMS', 'WECHAT'] as const;
export type ChannelName = (typeof CHANNELS)[number];
export type OutboundChannel = Exclude<ChannelName, 'INBOX'>;
export const OUTBOUND_CHANNELS: readonly OutboundChannel[] = ['SMS', 'WECHAT'];

/** One outbound message, as a channel sends it. */
export interface OutboundMessage {
  deliveryId: string;
  eventId: string;
  channel: OutboundChannel;
  /** The recipient's mobile number; for WECHAT through WeChat itself, the openid of their bound WeChat account. */
  to: string;
  /** The notification's kind (the event type, e.g. `order.dispatched`). */
  kind: string;
  /** The template key (`order.dispatched.RESIDENT`) and its parameters, for gateways that hold registered templates. */
  template: string;
  params: Record<string, string | number>;
  title: string;
  body: string;
  urgent: boolean;
}

/**
 * What a send came to. `transient`: worth trying again later (5xx, 408, 429, a timeout, no connection), with the
 * gateway's own hint when it gave one; `permanent`: no retry can help (any other 4xx): the delivery is dead at once.
 */
export type SendOutcome =
  | { outcome: 'sent' }
  | { outcome: 'transient'; error: string; retryAfterMs?: number }
  | { outcome: 'permanent'; error: string };

/** An outbound channel (novu's provider idea): one method, failures classified, never thrown. */
export interface Channel {
  readonly name: string;
  send(message: OutboundMessage): Promise<SendOutcome>;
}

/** How an HTTP status of a message gateway is judged. */
export function classifyStatus(status: number): SendOutcome['outcome'] {
  if (status >= 200 && status < 300) return 'sent';
  if (status >= 500 || status === 408 || status === 429) return 'transient';
  return 'permanent';
}
