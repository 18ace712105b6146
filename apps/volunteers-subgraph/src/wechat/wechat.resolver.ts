import type { VolunteersContext } from '../context';

type Input = { input: unknown };

export const wechatResolvers = {
  Mutation: {
    loginWithWeChat: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.wechat.login(args.input),
    bindWeChatPhone: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.wechat.bindPhone(args.input),
    completeWeChatSignUp: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.wechat.completeSignUp(args.input),
    unbindWeChat: (_: unknown, args: Input, ctx: VolunteersContext) => ctx.wechat.unbind(args.input),
  },
};
