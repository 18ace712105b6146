import { dataOf } from '@kz/testing';
import type { Platform } from './stack';

/** Who the live specs act as: a resident (周), the center's dispatcher and 迎宾's station admin. */
export interface OrderCast {
  platform: Platform;
  tokens: { dispatcher: string; stationAdmin: string; zhou: string };
  stationId: string;
}

/**
 * The order moves the live specs make through the gateway, for their subscribers to see. `cast` is read at each call
 * (the specs sign in and start the platform in `beforeAll`).
 */
export function orderMoves(cast: () => OrderCast) {
  async function place(title: string): Promise<string> {
    const { platform, tokens, stationId } = cast();
    const { placeOrder } = await dataOf(
      platform.query<{ placeOrder: { id: string } }>(
        `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }`,
        { input: { title, category: 'ELDERLY_CARE', channel: 'WECHAT', stationHintId: stationId } },
        { token: tokens.zhou },
      ),
    );
    return placeOrder.id;
  }

  async function move(orderId: string, mutation: string, type: string, token: string, input: Record<string, unknown> = {}): Promise<void> {
    const { platform } = cast();
    await dataOf(platform.query(`mutation($input: ${type}!) { ${mutation}(input: $input) { id } }`, { input: { orderId, ...input } }, { token }));
  }

  const dispatch = (orderId: string) => {
    const { tokens, stationId } = cast();
    return move(orderId, 'dispatchOrder', 'DispatchOrderInput', tokens.dispatcher, { stationId });
  };

  return { place, move, dispatch };
}
