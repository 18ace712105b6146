/**
 * One order (工单) for every role: what was asked, where it stands and its timeline, and the next move of the six-order
 * method that the signed-in role may make: the dispatcher dispatches (派单), the station accepts or returns it (接单),
 * assigns volunteers, starts and delivers it with minutes and funding (送单), the resident evaluates it (评单).
 */
import {
  AcceptOrderDocument,
  AssignVolunteersDocument,
  ConsoleOrderDocument,
  ConsoleOrderQuery,
  ConsoleSuggestionsDocument,
  DeliverOrderDocument,
  DispatchOrderDocument,
  EvaluateOrderDocument,
  OrderOutcome,
  Resolution,
  ReturnOrderDocument,
  StartServiceDocument,
  UnitTreeDocument,
} from '@kz/client';
import { field, fieldsOf, fill, formatTime, h } from '../dom';
import { ACTION, CATEGORY, OUTCOME, RESOLUTION, STATUS, T, URGENCY } from '../messages';
import { dispatches, isStaff, runsStation } from '../session';
import { Context, latestOnly, View } from '../view';

type Order = NonNullable<ConsoleOrderQuery['order']>;

function form(label: string, submit: string, fields: HTMLElement[], onSubmit: (values: Record<string, string>) => Promise<void>): HTMLFormElement {
  const element = h('form', { class: 'card action', 'aria-label': label }, h('h3', {}, label), fields, h('button', { type: 'submit' }, submit));
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = element.querySelector('button[type="submit"]') as HTMLButtonElement;
    button.disabled = true;
    void onSubmit(fieldsOf(element)).finally(() => (button.disabled = false));
  });
  return element;
}

function details(order: Order): HTMLElement {
  const row = (term: string, value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? null : [h('dt', {}, term), h('dd', {}, value)]);
  return h(
    'section',
    { class: 'card', 'aria-label': T.order },
    h('h3', {}, order.title, ' ', h('span', { class: `badge status-${order.status}`, 'data-status': order.status }, STATUS[order.status])),
    h(
      'dl',
      {},
      row(T.code, order.code),
      row(T.category, CATEGORY[order.category]),
      row(T.urgency, URGENCY[order.urgency]),
      row(T.description, order.description),
      row(T.address, order.address),
      row(`${T.lat}/${T.lng}`, order.location ? `${order.location.lat}, ${order.location.lng}` : null),
      row(T.station, order.station?.name),
      row(T.assignees, order.assignees.map((assignee) => assignee.person.realName).join('、')),
      row(T.outcome, order.outcome ? `${OUTCOME[order.outcome]}：${order.deliveryNote ?? ''}` : null),
      row(T.funding, order.fundingArranged === null ? null : `${order.fundingArranged}${order.fundingSource ? `（${order.fundingSource}）` : ''}`),
      row(T.comment, order.evaluation ? T.evaluation(order.evaluation.rating, RESOLUTION[order.evaluation.resolved]) + (order.evaluation.comment ? `：${order.evaluation.comment}` : '') : null),
      order.returnCount ? row('', T.returnCount(order.returnCount)) : null,
      order.overdue ? row('', T.overdue) : null,
    ),
    order.photos.length
      ? h('figure', { class: 'photos' }, order.photos.map((url) => h('img', { src: url, alt: `${order.title} ${T.photos}`, loading: 'lazy', referrerpolicy: 'no-referrer' })))
      : null,
  );
}

function timeline(order: Order): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'timeline' },
    h('h3', { id: 'timeline' }, T.timeline),
    h(
      'ol',
      { class: 'timeline' },
      order.timeline.map((entry) =>
        h('li', { 'data-action': entry.action }, h('time', { datetime: entry.at }, formatTime(entry.at)), ' ', h('strong', {}, ACTION[entry.action] ?? entry.action), entry.note ? `：${entry.note}` : ''),
      ),
    ),
  );
}

async function dispatchForm(context: Context, order: Order): Promise<HTMLElement> {
  const { unitTree } = await context.client.request(UnitTreeDocument, { depth: 2 });
  const stations = unitTree.nodes.filter((node) => node.unit.level === 'STATION').map((node) => node.unit);
  const select = h('select', { name: 'stationId', required: true }, stations.map((station) => h('option', { value: station.id }, station.name)));
  return form(T.dispatch, T.dispatch, [field(T.dispatchTo, select)], ({ stationId = '' }) =>
    context.act(() => context.client.request(DispatchOrderDocument, { input: { orderId: order.id, stationId } }), T.dispatched(select.selectedOptions[0]?.textContent ?? '')),
  );
}

function acceptForms(context: Context, order: Order): HTMLElement[] {
  const accept = h('button', { type: 'button', onclick: () => void context.act(() => context.client.request(AcceptOrderDocument, { input: { orderId: order.id } }), T.accepted) }, T.accept);
  const returnForm = form(T.return, T.return, [field(T.returnReason, h('input', { name: 'reason', required: true, maxlength: 500 }))], ({ reason = '' }) =>
    // Returned, the order leaves the station's scope: back to the board.
    context.act(() => context.client.request(ReturnOrderDocument, { input: { orderId: order.id, reason } }), T.returned, '#/board'),
  );
  return [h('section', { class: 'card action', 'aria-label': T.accept }, h('h3', {}, T.accept), accept), returnForm];
}

async function assignForm(context: Context, order: Order): Promise<HTMLElement> {
  const { order: suggested } = await context.client.request(ConsoleSuggestionsDocument, { id: order.id });
  const assigned = new Set(order.assignees.map((assignee) => assignee.id));
  const options = (suggested?.suggestedVolunteers ?? []).map((suggestion) =>
    h(
      'li',
      {},
      h('label', {}, h('input', { type: 'checkbox', name: 'volunteer', value: suggestion.volunteer.id, checked: assigned.has(suggestion.volunteer.id) }), ` ${suggestion.volunteer.person.realName}`),
      h('small', {}, ` ${suggestion.reasons.join('；')}`),
    ),
  );
  const element = form(T.suggested, T.assign, [options.length ? h('ul', { class: 'choices' }, options) : h('p', {}, T.none)], async () => {
    const volunteerIds = [...element.querySelectorAll<HTMLInputElement>('input[name="volunteer"]:checked')].map((input) => input.value);
    await context.act(() => context.client.request(AssignVolunteersDocument, { input: { orderId: order.id, volunteerIds } }), T.assigned);
  });
  return element;
}

function startButton(context: Context, order: Order): HTMLElement {
  return h(
    'section',
    { class: 'card action', 'aria-label': T.start },
    h('h3', {}, T.start),
    h('button', { type: 'button', onclick: () => void context.act(() => context.client.request(StartServiceDocument, { input: { orderId: order.id } }), T.started) }, T.start),
  );
}

function deliverForm(context: Context, order: Order): HTMLElement {
  const minutes = order.assignees.map((assignee) =>
    field(T.minutesOf(assignee.person.realName), h('input', { name: `minutes-${assignee.id}`, type: 'number', min: 0, max: 1440, step: 1, required: true, inputmode: 'numeric' })),
  );
  const outcome = h('select', { name: 'outcome' }, (Object.keys(OUTCOME) as OrderOutcome[]).map((value) => h('option', { value }, OUTCOME[value])));
  return form(
    T.deliver,
    T.deliver,
    [
      field(T.deliverNote, h('textarea', { name: 'note', required: true, rows: 3, maxlength: 2000 })),
      field(T.outcome, outcome),
      ...minutes,
      field(T.funding, h('input', { name: 'funding', type: 'number', min: 0, step: 1, inputmode: 'numeric' })),
      field(T.fundingSource, h('input', { name: 'fundingSource', maxlength: 200 })),
    ],
    (values) =>
      context.act(
        () =>
          context.client.request(DeliverOrderDocument, {
            input: {
              orderId: order.id,
              note: values.note ?? '',
              outcome: (values.outcome ?? 'FULL') as OrderOutcome,
              minutes: order.assignees.map((assignee) => ({ volunteerId: assignee.id, minutes: Number(values[`minutes-${assignee.id}`]) })),
              ...(values.funding ? { fundingArranged: Number(values.funding) } : {}),
              ...(values.fundingSource ? { fundingSource: values.fundingSource } : {}),
            },
          }),
        T.delivered,
      ),
  );
}

function evaluateForm(context: Context, order: Order): HTMLElement {
  const stars = h(
    'fieldset',
    { class: 'stars' },
    h('legend', {}, T.rating),
    [5, 4, 3, 2, 1].map((rating) => h('label', {}, h('input', { type: 'radio', name: 'rating', value: rating, required: true }), ` ${T.stars(rating)}`)),
  );
  const resolved = h('select', { name: 'resolved' }, (Object.keys(RESOLUTION) as Resolution[]).map((value) => h('option', { value }, RESOLUTION[value])));
  return form(T.evaluate, T.evaluate, [stars, field(T.resolved, resolved), field(T.comment, h('textarea', { name: 'comment', rows: 3, maxlength: 500 }))], (values) =>
    context.act(
      () =>
        context.client.request(EvaluateOrderDocument, {
          input: { orderId: order.id, rating: Number(values.rating), resolved: (values.resolved ?? 'YES') as Resolution, ...(values.comment ? { comment: values.comment } : {}) },
        }),
      T.evaluated,
    ),
  );
}

/** The moves the signed-in role may make on the order as it stands (the gateway decides; this only offers them). */
async function actions(context: Context, order: Order): Promise<HTMLElement[]> {
  const { session } = context;
  const station = runsStation(session);
  switch (order.status) {
    case 'SUBMITTED':
      return dispatches(session) ? [await dispatchForm(context, order)] : [];
    case 'DISPATCHED':
      return station ? acceptForms(context, order) : [];
    case 'ACCEPTED':
      if (!station) return [];
      return order.assignees.length ? [await assignForm(context, order), startButton(context, order)] : [await assignForm(context, order)];
    case 'IN_PROGRESS':
      return station || session.person.roles.includes('VOLUNTEER') ? [deliverForm(context, order)] : [];
    case 'DELIVERED':
      return isStaff(session) ? [] : [evaluateForm(context, order)];
    default:
      return [];
  }
}

/** What a change of the order changes: the same moves need no new page (and keep what the user is typing). */
const movesOf = (order: Order) => JSON.stringify([order.status, order.timeline.length, order.assignees.map((assignee) => assignee.id)]);

export function orderView(context: Context, orderId: string): View {
  const element = h('div', { class: 'order' });
  let shown = '';
  return {
    title: T.order,
    element,
    orderId,
    refresh: latestOnly(
      () => context.client.request(ConsoleOrderDocument, { id: orderId }),
      async ({ order }) => {
        if (!order) {
          shown = '';
          fill(element, h('p', {}, T.notFound));
          return;
        }
        if (movesOf(order) === shown) return;
        const moves = await actions(context, order);
        shown = movesOf(order);
        fill(element, details(order), moves, timeline(order));
      },
    ),
  };
}
