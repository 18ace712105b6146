/**
 * A front-end team's page, as small as it can be: served from its own origin, it signs a resident in through the
 * gateway with `@kz/client`, reads who they are (a query) and places an order (a mutation). The browser test
 * (`../front-end.e2e.spec.ts`) bundles it with esbuild and drives it in Chromium. `?gateway=` is the gateway's URL,
 * `?persisted=1` sends documents by id.
 */
import { createClient, GraphQLRequestError, LoginDocument, MeDocument, PlaceOrderDocument } from '@kz/client';

const params = new URLSearchParams(location.search);
const anonymous = createClient({
  url: params.get('gateway') ?? 'http://localhost:4000/graphql',
  locale: 'zh-CN',
  clientName: 'kz-resident-web',
  clientVersion: '1.0.0',
  persisted: params.get('persisted') === '1',
});

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** The test waits on this attribute: loading, ready, busy, done or failed. */
const setState = (state: 'ready' | 'busy' | 'done' | 'failed') => (document.body.dataset.state = state);

async function signInAndOrder(phone: string, password: string): Promise<void> {
  const { login } = await anonymous.request(LoginDocument, { input: { phone, password } });
  const client = anonymous.with({ token: login.token });
  const { me } = await client.request(MeDocument);
  const { placeOrder } = await client.request(PlaceOrderDocument, {
    input: {
      title: '楼道声控灯损坏',
      description: '三单元二楼到五楼的声控灯都不亮了，老人晚上上下楼不方便。',
      category: 'SAFETY_FACILITIES',
      channel: 'APP',
      address: '开州区汉丰街道迎宾社区',
    },
  });
  element('name').textContent = me?.realName ?? '';
  element('home').textContent = me?.homeUnit?.name ?? '';
  element('order-code').textContent = placeOrder.code;
  element('order-status').textContent = placeOrder.status;
  element('result').hidden = false;
}

element<HTMLFormElement>('login').addEventListener('submit', (event) => {
  event.preventDefault();
  setState('busy');
  element('error').hidden = true;
  signInAndOrder(element<HTMLInputElement>('phone').value, element<HTMLInputElement>('password').value).then(
    () => setState('done'),
    (error: unknown) => {
      const shown = element('error');
      if (error instanceof GraphQLRequestError) {
        shown.dataset.code = error.code;
        shown.dataset.status = String(error.status);
        shown.textContent = `${error.code}（HTTP ${error.status}，请求编号 ${error.requestId}）：${error.message}`;
      } else {
        shown.textContent = String(error);
      }
      shown.hidden = false;
      setState('failed');
    },
  );
});
setState('ready');
