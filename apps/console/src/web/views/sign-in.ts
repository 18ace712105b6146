import { field, fieldsOf, h } from '../dom';
import { T } from '../messages';

export function signInView(onSubmit: (phone: string, password: string) => Promise<void>): HTMLElement {
  const form = h(
    'form',
    { class: 'card', 'aria-label': T.signIn },
    h('h2', {}, T.signIn),
    field(T.phone, h('input', { name: 'phone', type: 'tel', autocomplete: 'username', inputmode: 'numeric', required: true })),
    field(T.password, h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('button', { type: 'submit' }, T.signIn),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const { phone = '', password = '' } = fieldsOf(form);
    void onSubmit(phone, password);
  });
  return form;
}
