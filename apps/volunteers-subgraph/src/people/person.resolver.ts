import { maskName } from '@kz/auth';
import type { VolunteersContext } from '../context';
import type { Person } from './person.entity';

type Input = { input: unknown };

export const personResolvers = {
  Query: {
    me: (_: unknown, __: unknown, ctx: VolunteersContext) => ctx.people.me(),
    person: (_: unknown, args: { id: string }, ctx: VolunteersContext) => ctx.people.get(args.id),
  },
  Mutation: {
    signUp: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.people.signUp(args.input),
    login: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.people.login(args.input),
    changePassword: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.people.changePassword(args.input),
    createStaffAccount: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.people.createStaffAccount(args.input),
  },
  Person: {
    __resolveReference: (ref: { id: string }, ctx: VolunteersContext) => ctx.people.reference(ref.id),
    displayName: (person: Person) => maskName(person.realName),
    realName: (person: Person, _: unknown, ctx: VolunteersContext) => ctx.people.realName(person),
    mobile: (person: Person, _: unknown, ctx: VolunteersContext) => ctx.people.mobile(person),
    idNumber: (person: Person, _: unknown, ctx: VolunteersContext) => ctx.people.idNumber(person),
    documentType: (person: Person, _: unknown, ctx: VolunteersContext) => ctx.people.documentType(person),
    gender: (person: Person, _: unknown, ctx: VolunteersContext) => ctx.people.gender(person),
    birthDate: (person: Person, _: unknown, ctx: VolunteersContext) => ctx.people.birthDate(person),
    staffUnit: (person: Person) => (person.staffUnitId ? { id: person.staffUnitId } : null),
    homeUnit: (person: Person) => (person.homeUnitId ? { id: person.homeUnitId } : null),
    weChatBound: (person: Person, _: unknown, ctx: VolunteersContext) => ctx.wechat.bound(person),
  },
};
