import type { PointsContext } from '../context';
import { cardNumberFor } from '../accounts/card-number';
import type { MerchantRedemptionView, MerchantView, OfferView } from './merchant.service';

type Input = { input: unknown };
type Reference = { id: string };

/** Thin: arguments in, service call, shape out. The rules live in `MerchantService`. */
export const merchantResolvers = {
  Query: {
    merchant: (_: unknown, args: Reference, ctx: PointsContext) => ctx.merchants.get(args.id),
    merchants: (_: unknown, args: { unitId?: string | null }, ctx: PointsContext) => ctx.merchants.list(args.unitId),
    merchantOffer: (_: unknown, args: Reference, ctx: PointsContext) => ctx.merchants.offer(args.id),
    merchantOffers: (_: unknown, args: { unitId?: string | null; first?: number | null }, ctx: PointsContext) =>
      ctx.merchants.availableOffers(args.unitId, args.first ?? 20),
    myPaymentCode: (_: unknown, __: unknown, ctx: PointsContext) => ctx.merchants.paymentCode(),
    merchantStatement: (_: unknown, args: { merchantId: string; month: string }, ctx: PointsContext) => ctx.merchants.statement(args.merchantId, args.month),
  },
  Mutation: {
    createMerchant: (_: unknown, args: Input, ctx: PointsContext) => ctx.merchants.create(args.input),
    addMerchantStaff: (_: unknown, args: Input, ctx: PointsContext) => ctx.merchants.addStaff(args.input),
    createMerchantOffer: (_: unknown, args: Input, ctx: PointsContext) => ctx.merchants.createOffer(args.input),
    updateMerchantOffer: (_: unknown, args: Input, ctx: PointsContext) => ctx.merchants.updateOffer(args.input),
    redeemMerchantOffer: (_: unknown, args: Input, ctx: PointsContext) => ctx.merchants.redeem(args.input),
  },
  Merchant: {
    unit: (merchant: MerchantView) => ({ __typename: 'PracticeUnit', id: merchant.unitId }),
    offers: (merchant: MerchantView, _: unknown, ctx: PointsContext) => ctx.merchants.offers(merchant),
    cardNumber: (merchant: MerchantView) => cardNumberFor(merchant.accountId),
    balance: (merchant: MerchantView, _: unknown, ctx: PointsContext) => ctx.merchants.balance(merchant),
    staffPersonIds: (merchant: MerchantView, _: unknown, ctx: PointsContext) => ctx.merchants.staff(merchant),
  },
  MerchantOffer: {
    merchant: (offer: OfferView, _: unknown, ctx: PointsContext) => ctx.merchants.merchantOf(offer),
    available: (offer: OfferView, _: unknown, ctx: PointsContext) => ctx.merchants.isAvailable(offer),
  },
  MerchantRedemption: {
    merchant: (redemption: MerchantRedemptionView, _: unknown, ctx: PointsContext) => ctx.merchants.merchantOf(redemption),
    offer: (redemption: MerchantRedemptionView, _: unknown, ctx: PointsContext) => ctx.merchants.offerOf(redemption),
  },
};
