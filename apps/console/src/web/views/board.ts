/** The board (工单看板): the orders in scope in their stages, the dispatcher's from 待派单 on, a station's from 待接单. */
import { ConsoleBoardDocument, ConsoleBoardQuery, OrderStatus } from '@kz/client';
import { fill, formatTime, h } from '../dom';
import { STATUS, T, URGENCY } from '../messages';
import { dispatches } from '../session';
import { Context, latestOnly, View } from '../view';

type Card = ConsoleBoardQuery['orders']['edges'][number]['node'];

const DISPATCHER_STAGES: OrderStatus[] = ['SUBMITTED', 'DISPATCHED', 'ACCEPTED', 'IN_PROGRESS', 'DELIVERED', 'EVALUATED'];
const STATION_STAGES: OrderStatus[] = ['DISPATCHED', 'ACCEPTED', 'IN_PROGRESS', 'DELIVERED', 'EVALUATED'];

function card(order: Card): HTMLElement {
  return h(
    'li',
    { class: 'order-card', 'data-order': order.id },
    h('a', { href: `#/order/${order.id}` }, order.title),
    h(
      'small',
      {},
      `${order.code} · ${URGENCY[order.urgency]}`,
      order.station ? ` · ${order.station.name}` : '',
      order.overdue ? h('strong', { class: 'overdue' }, ` · ${T.overdue}`) : '',
      ` · ${formatTime(order.createdAt)}`,
    ),
  );
}

export function boardView(context: Context): View {
  const stages = dispatches(context.session) ? DISPATCHER_STAGES : STATION_STAGES;
  const total = h('p', { class: 'total' });
  const columns = h('div', { class: 'stages' });
  const element = h('div', {}, total, columns);
  return {
    title: dispatches(context.session) ? T.dispatchBoard : T.stationBoard,
    element,
    board: true,
    refresh: latestOnly(
      () => context.client.request(ConsoleBoardDocument, { first: 100 }),
      ({ orders }) => {
        const cards = orders.edges.map((edge) => edge.node);
        total.textContent = T.orderCount(orders.totalCount);
        fill(
          columns,
          stages.map((stage) => {
            const inStage = cards.filter((order) => order.status === stage);
            const heading = `stage-${stage}`;
            return h(
              'section',
              { class: 'stage', 'aria-labelledby': heading, 'data-stage': stage },
              h('h3', { id: heading }, STATUS[stage], ' ', h('span', { class: 'count' }, inStage.length)),
              inStage.length ? h('ul', {}, inStage.map(card)) : h('p', { class: 'empty' }, T.none),
            );
          }),
        );
      },
    ),
  };
}
