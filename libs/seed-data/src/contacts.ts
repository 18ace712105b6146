import { GIVEN_NAME_CHARS, MOBILE_PREFIXES, REAL_PEOPLE, SURNAMES } from './kaizhou-names';
import { createRng } from './prng';

/** A fictitious contact person's name for the record with this code. */
export function contactNameFor(code: string): string {
  const rng = createRng(`${code}#contact-name`);
  for (;;) {
    const given = rng.next() < 0.6 ? rng.pick(GIVEN_NAME_CHARS) + rng.pick(GIVEN_NAME_CHARS) : rng.pick(GIVEN_NAME_CHARS);
    const surname = rng.pick(SURNAMES);
    const name = surname + given;
    if (!REAL_PEOPLE.includes(name) && given[0] !== given[1] && !given.includes(surname)) return name;
  }
}

/** A fictitious, well-formed mainland mobile number (`1[3-9]\d{9}`) for the record with this code. */
export function contactPhoneFor(code: string): string {
  const rng = createRng(`${code}#contact-phone`);
  const subscriber = String(rng.int(0, 99_999_999)).padStart(8, '0');
  return rng.pick(MOBILE_PREFIXES) + subscriber;
}
