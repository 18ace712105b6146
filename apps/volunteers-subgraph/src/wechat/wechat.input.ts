import { z } from 'zod';
import { fields } from '@kz/subgraph';
import { idNumber } from '../people/person.input';

/** WeChat's codes are short opaque strings (about 32 characters); anything far longer is not one. */
const code = fields.text(128);
/** Our own tickets (a compact JWS of a few hundred characters). */
const ticket = fields.text(2000);

export const loginWithWeChatInput = z.object({ code });
export const bindWeChatPhoneInput = z.object({ ticket, phoneCode: code });
export const completeWeChatSignUpInput = z.object({
  ticket,
  realName: fields.text(50),
  homeUnitId: fields.id(),
  idNumber: idNumber.nullish(),
});
export const unbindWeChatInput = z.object({ personId: fields.id().nullish() });
