import { maskMobile } from '@kz/auth';
import type { Logger } from '@kz/telemetry';
import type { Channel, OutboundMessage, SendOutcome } from './channel';

/** Development's gateway: writes the message to the log (the number masked) and counts it as sent. */
export class ConsoleChannel implements Channel {
  readonly name = 'console';

  constructor(private readonly log: Logger) {}

  async send(message: OutboundMessage): Promise<SendOutcome> {
    this.log.info(
      { channel: message.channel, to: maskMobile(message.to), deliveryId: message.deliveryId, template: message.template },
      `[${message.channel}] ${message.title}: ${message.body}`,
    );
    return { outcome: 'sent' };
  }
}
