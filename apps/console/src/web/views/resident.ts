/** The resident's page (点单): place an order with its place and a photo, and the list of their own orders. */
import { MyOrdersDocument, OrderCategory, PlaceOrderDocument, PlaceOrderInput, Urgency } from '@kz/client';
import { field, fieldsOf, fill, formatTime, h } from '../dom';
import { CATEGORY, STATUS, T, URGENCY } from '../messages';
import { Context, latestOnly, View } from '../view';

function placeForm(context: Context): HTMLFormElement {
  const category = h('select', { name: 'category', required: true }, (Object.keys(CATEGORY) as OrderCategory[]).map((value) => h('option', { value }, CATEGORY[value])));
  const urgency = h('select', { name: 'urgency' }, (Object.keys(URGENCY) as Urgency[]).map((value) => h('option', { value, selected: value === 'NORMAL' }, URGENCY[value])));
  const coordinate = (name: string, label: string, min: number, max: number) =>
    field(label, h('input', { name, type: 'number', step: 'any', min, max, inputmode: 'decimal' }));
  const element = h(
    'form',
    { class: 'card', 'aria-label': T.resident },
    h('h3', {}, T.resident),
    field(T.title, h('input', { name: 'title', required: true, maxlength: 100 })),
    field(T.category, category),
    field(T.description, h('textarea', { name: 'description', rows: 4, maxlength: 2000 })),
    field(T.address, h('input', { name: 'address', maxlength: 200, autocomplete: 'street-address' })),
    h('div', { class: 'pair' }, coordinate('lat', T.lat, -90, 90), coordinate('lng', T.lng, -180, 180)),
    field(T.photo, h('input', { name: 'photo', type: 'url', pattern: 'https://.*', placeholder: 'https://' })),
    field(T.urgency, urgency),
    h('button', { type: 'submit' }, T.placeOrder),
  );
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = fieldsOf(element);
    const input: PlaceOrderInput = {
      title: values.title ?? '',
      category: (values.category ?? 'OTHER') as OrderCategory,
      channel: 'APP',
      urgency: (values.urgency ?? 'NORMAL') as Urgency,
      ...(values.description ? { description: values.description } : {}),
      ...(values.address ? { address: values.address } : {}),
      ...(values.lat && values.lng ? { location: { lat: Number(values.lat), lng: Number(values.lng) } } : {}),
      ...(values.photo ? { photos: [values.photo] } : {}),
    };
    let placedId = '';
    void context
      .act(async () => {
        const { placeOrder } = await context.client.request(PlaceOrderDocument, { input });
        placedId = placeOrder.id;
        element.reset();
      }, T.placed)
      .then(() => placedId && context.go(`#/order/${placedId}`));
  });
  return element;
}

export function residentView(context: Context): View {
  const list = h('ul', { class: 'orders' });
  const element = h('div', { class: 'columns' }, placeForm(context), h('section', { class: 'card', 'aria-labelledby': 'my-orders' }, h('h3', { id: 'my-orders' }, T.myOrders), list));
  return {
    title: T.resident,
    element,
    inbox: true,
    refresh: latestOnly(
      () => context.client.request(MyOrdersDocument, { first: 20 }),
      ({ myOrders }) =>
        fill(
          list,
          myOrders.edges.length
            ? myOrders.edges.map(({ node }) =>
                h(
                  'li',
                  { 'data-order': node.id },
                  h('a', { href: `#/order/${node.id}` }, node.title),
                  h('small', {}, ` ${node.code} · `, h('span', { 'data-status': node.status }, STATUS[node.status]), node.station ? ` · ${node.station.name}` : '', ` · ${formatTime(node.createdAt)}`),
                ),
              )
            : h('li', {}, T.none),
        ),
    ),
  };
}
