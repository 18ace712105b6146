/** The volunteer's page: verified hours, the love bank's points and the pickup codes of reserved rewards. */
import { ConsoleVolunteeringDocument } from '@kz/client';
import { fill, formatTime, h } from '../dom';
import { T } from '../messages';
import type { Context, View } from '../view';

export function volunteerView(context: Context): View {
  const element = h('div', { class: 'columns' });
  return {
    title: T.volunteer,
    element,
    async refresh() {
      const { volunteers, myAccount, redemptions } = await context.client.request(ConsoleVolunteeringDocument);
      const me = volunteers.edges[0]?.node;
      const figure = (label: string, value: string | number, name: string) => [h('dt', {}, label), h('dd', { 'data-figure': name }, value)];
      fill(
        element,
        h(
          'section',
          { class: 'card', 'aria-label': T.volunteer },
          me || myAccount
            ? h(
                'dl',
                { class: 'figures' },
                me ? figure(T.hours, me.verifiedHours, 'hours') : null,
                me ? figure(T.services, me.serviceCount, 'services') : null,
                myAccount ? figure(T.points, myAccount.balance, 'points') : null,
                myAccount ? figure(T.available, myAccount.available, 'available') : null,
                myAccount ? figure(T.card, myAccount.cardNumber, 'card') : null,
              )
            : h('p', {}, T.notVolunteer),
        ),
        h(
          'section',
          { class: 'card', 'aria-labelledby': 'pickup' },
          h('h3', { id: 'pickup' }, T.pickupCodes),
          redemptions.edges.length
            ? h(
                'ul',
                {},
                redemptions.edges.map(({ node }) =>
                  h('li', {}, `${node.reward.name} × ${node.quantity}（${node.points} 分）`, node.station ? ` · ${node.station.name}` : '', ' · ', T.pickupCode, ' ', h('strong', { class: 'code' }, node.pickupCode ?? ''), ` · ${formatTime(node.expiresAt)}前`),
                ),
              )
            : h('p', {}, T.none),
        ),
      );
    },
  };
}
