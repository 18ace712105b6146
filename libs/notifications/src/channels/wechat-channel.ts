import type { WeChatTemplate } from '@kz/config';
import { classifySendFailure, SubscribeMessage } from '@kz/wechat';
import type { Channel, OutboundMessage, SendOutcome } from './channel';

/** What the channel needs of the WeChat client (`WeChatClient` from @kz/wechat). */
export interface SubscribeMessageSender {
  sendSubscribeMessage(message: SubscribeMessage): Promise<void>;
}

/** WeChat's length limits per keyword type (subscribeMessage.send); a longer value is refused with 47003. */
const LIMITS: Record<string, number> = { thing: 20, name: 10, phrase: 5, symbol: 5, character_string: 32, number: 32, letter: 32, phone_number: 17, car_number: 8 };

/** The keyword's value cut to WeChat's limit for its type (`thing1` → 20 characters, the last one an ellipsis). */
function fit(keyword: string, value: string): string {
  const limit = LIMITS[keyword.replace(/\d+$/, '')];
  const characters = [...value];
  return limit && characters.length > limit ? `${characters.slice(0, limit - 1).join('')}…` : value;
}

/**
 * WeChat subscribe messages (`subscribeMessage.send`) to the openid of the person's bound WeChat account, with the
 * template WECHAT_TEMPLATES names for the notification's kind. Outcomes as the worker classifies them: the user has not
 * subscribed or refused (43101), a bad openid or template (other errcodes), or no template for the kind are permanent
 * (dead letter; the inbox entry stays); a busy WeChat (-1), its rate limits (45009), 5xx and timeouts are transient
 * (backoff). A refused access token is refreshed once inside the client.
 */
export class WeChatSubscribeChannel implements Channel {
  readonly name = 'wechat';

  constructor(
    private readonly sender: SubscribeMessageSender,
    private readonly templates: Record<string, WeChatTemplate>,
  ) {}

  async send(message: OutboundMessage): Promise<SendOutcome> {
    const template = this.templates[message.kind];
    if (!template) return { outcome: 'permanent', error: `no WeChat template for ${message.kind} (WECHAT_TEMPLATES)` };
    const fields: Record<string, string> = typeof template === 'string' ? { thing1: 'title', thing2: 'body' } : template.data;
    const value = (param: string): string => (param === 'title' ? message.title : param === 'body' ? message.body : String(message.params[param] ?? ''));
    const data = Object.fromEntries(Object.entries(fields).map(([keyword, param]) => [keyword, fit(keyword, value(param))]));
    try {
      await this.sender.sendSubscribeMessage({ touser: message.to, templateId: typeof template === 'string' ? template : template.id, data });
      return { outcome: 'sent' };
    } catch (error) {
      return { outcome: classifySendFailure(error), error: (error as Error).message };
    }
  }
}

/** Sends each message on the channel made for its channel name, the default one otherwise (SMS, or WECHAT without WeChat). */
export class ChannelsByName implements Channel {
  readonly name: string;

  constructor(
    private readonly fallback: Channel,
    private readonly byName: Partial<Record<OutboundMessage['channel'], Channel>>,
  ) {
    this.name = [fallback.name, ...Object.values(byName).map((channel) => channel!.name)].join('+');
  }

  send(message: OutboundMessage): Promise<SendOutcome> {
    return (this.byName[message.channel] ?? this.fallback).send(message);
  }
}
