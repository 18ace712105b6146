import type { ChannelName } from '../channels/channel';
import type { Audience } from '../routing/notification-routes';

/** The kind a preference row holds to apply to every kind without a row of its own. */
export const EVERY_KIND = '*';

/**
 * Channels when a person has said nothing: the inbox always; an SMS too for residents' order updates (they follow on
 * their phones, not in the app) and for urgent messages to staff (an escalation or a safety hazard must not wait for
 * someone to open the app).
 */
export function defaultChannels(kind: string, audience: Audience, urgent: boolean): ChannelName[] {
  if (audience === 'RESIDENT' && kind.startsWith('order.')) return ['INBOX', 'SMS'];
  if (audience === 'STAFF' && urgent) return ['INBOX', 'SMS'];
  return ['INBOX'];
}

/**
 * The channels of one notification: the person's row for this kind, else their `*` row, else the defaults. The inbox
 * is always among them, whatever a row says.
 */
export function chooseChannels(
  preferences: readonly { kind: string; channels: readonly string[] }[],
  kind: string,
  audience: Audience,
  urgent: boolean,
): ChannelName[] {
  const chosen = preferences.find((row) => row.kind === kind) ?? preferences.find((row) => row.kind === EVERY_KIND);
  const channels = (chosen?.channels as ChannelName[] | undefined) ?? defaultChannels(kind, audience, urgent);
  return ['INBOX', ...channels.filter((channel) => channel !== 'INBOX')];
}
