import type { Locale } from './locale';

type Params = Record<string, string | number | undefined>;
type Message = Record<Locale, (p: Params) => string>;

const m = (en: (p: Params) => string, zh: (p: Params) => string): Message => ({ en, 'zh-CN': zh });

/**
 * Every user-facing error message, in English and Chinese. Keys are stable; codes and params travel in
 * `extensions` so clients never parse the text.
 */
export const messages = {
  'auth.required': m(
    () => 'You must be signed in to do this.',
    () => '请先登录。',
  ),
  'auth.invalidToken': m(
    () => 'The access token is invalid.',
    () => '访问令牌无效。',
  ),
  'auth.expiredToken': m(
    () => 'The access token has expired; sign in again.',
    () => '访问令牌已过期，请重新登录。',
  ),
  'auth.gatewayOnly': m(
    () => 'This service only accepts requests forwarded by the gateway.',
    () => '本服务只接受经网关转发的请求。',
  ),
  'auth.invalidCredentials': m(
    () => 'The phone number or password is wrong.',
    () => '手机号或密码错误。',
  ),
  'auth.accountLocked': m(
    (p) => `Too many failed sign-ins; the account is locked for ${p.retryAfterMinutes} more minute(s).`,
    (p) => `登录失败次数过多，账户已锁定，请 ${p.retryAfterMinutes} 分钟后再试。`,
  ),
  'auth.accountClosed': m(
    () => 'This account has been closed; sign up again to use the platform.',
    () => '该账户已注销，如需继续使用请重新注册。',
  ),
  'account.confirm': m(
    (p) => `${p.field}: closing the account cannot be undone; set it to true to confirm.`,
    (p) => `${p.field}：注销账户后无法恢复，请设为 true 以确认。`,
  ),
  'account.staffCannotClose': m(
    (p) => `Accounts with staff roles (${p.roles}) cannot be closed by their holder; the center removes the staff roles first.`,
    (p) => `持有工作人员角色（${p.roles}）的账户不能自行注销，请先由中心取消其工作人员角色。`,
  ),
  'input.weakPassword': m(
    (p) => `${p.field}: use 8 to 64 characters with both letters and digits.`,
    (p) => `${p.field}：密码须为 8 到 64 位，且同时包含字母和数字。`,
  ),
  'points.insufficient': m(
    (p) => `Not enough points: ${p.needed} needed.`,
    (p) => `积分不足：需要 ${p.needed} 分。`,
  ),
  'points.idempotencyReused': m(
    (p) => `${p.field}: ${p.value} was already used for a different request.`,
    (p) => `${p.field}：${p.value} 已用于另一个不同的请求。`,
  ),
  'points.amount': m(
    (p) => `${p.field}: must be a whole number of points from ${p.min} to ${p.max}.`,
    (p) => `${p.field}：积分须为 ${p.min} 到 ${p.max} 之间的整数。`,
  ),
  'points.adjustment': m(
    (p) => `${p.field}: must be a whole number of points other than 0, from -${p.max} to ${p.max}.`,
    (p) => `${p.field}：积分须为 -${p.max} 到 ${p.max} 之间且不为 0 的整数。`,
  ),
  'points.dailyLimit': m(
    (p) => `${p.field}: at most ${p.limit} points may be given away per day; ${p.remaining} left today.`,
    (p) => `${p.field}：每人每天最多转出 ${p.limit} 积分，今天还可转出 ${p.remaining} 分。`,
  ),
  'points.selfTransfer': m(
    (p) => `${p.field}: points cannot be transferred to your own account.`,
    (p) => `${p.field}：不能向自己的账户转赠积分。`,
  ),
  'points.oneReceiver': m(
    (p) => `${p.field}: give either an account (toAccountId) or a station (toStationId), exactly one.`,
    (p) => `${p.field}：请指定一个接收方：账户（toAccountId）或实践站（toStationId），二者选一。`,
  ),
  'points.cardNumber': m(
    (p) => `${p.field}: is not a valid love savings card number (like KZ 0000 0012 34-5); check the digits.`,
    (p) => `${p.field}：不是有效的爱心储蓄卡号（格式如 KZ 0000 0012 34-5），请核对号码。`,
  ),
  'points.idempotencyKey': m(
    (p) => `${p.field}: must be ${p.min} to ${p.max} characters chosen by the client for this request.`,
    (p) => `${p.field}：须为客户端为本次请求生成的 ${p.min} 到 ${p.max} 个字符。`,
  ),
  'points.alreadyReversed': m(
    (p) => `${p.field}: transaction ${p.value} has already been reversed.`,
    (p) => `${p.field}：交易 ${p.value} 已经冲正过，不能重复冲正。`,
  ),
  'points.pickupCodeNotFound': m(
    (p) => `${p.field}: no redemption with pickup code ${p.pickupCode} at the stations you serve; check the code.`,
    (p) => `${p.field}：您所管辖的站点没有取货码为 ${p.pickupCode} 的兑换记录，请核对取货码。`,
  ),
  'points.outOfStock': m(
    (p) => `Only ${p.available} left in stock.`,
    (p) => `库存不足，仅剩 ${p.available} 件。`,
  ),
  'points.limitReached': m(
    (p) => `You may redeem at most ${p.limit} of this reward per ${p.period}; you have ${p.used} already.`,
    (p) => `此奖品每${p.periodZh ?? p.period}每人限兑 ${p.limit} 件，您已兑换 ${p.used} 件。`,
  ),
  'points.paymentCodeInvalid': m(
    (p) => `${p.field}: is not a payment code of this platform (or it was altered); ask the volunteer to show their code again.`,
    (p) => `${p.field}：不是本平台的付款码（或已被篡改），请志愿者重新出示付款码。`,
  ),
  'points.paymentCodeExpired': m(
    (p) => `This payment code expired at ${p.expiredAt}; ask the volunteer to refresh it.`,
    (p) => `付款码已过期（${p.expiredAt}），请志愿者刷新付款码。`,
  ),
  'points.paymentCodeUsed': m(
    () => 'This payment code has already been used; each code pays once. Ask the volunteer to refresh it.',
    () => '此付款码已使用过，每个付款码只能支付一次，请志愿者刷新付款码。',
  ),
  'points.merchantDailyLimit': m(
    (p) =>
      p.scope === 'PERSON'
        ? `This offer may be redeemed at most ${p.limit} times per person per day; this volunteer has ${p.used} today.`
        : `This offer may be redeemed at most ${p.limit} times per day at this merchant; ${p.used} already today.`,
    (p) =>
      p.scope === 'PERSON'
        ? `此优惠每人每天限兑 ${p.limit} 份，该志愿者今天已兑 ${p.used} 份。`
        : `此优惠本商家每天限兑 ${p.limit} 份，今天已兑 ${p.used} 份。`,
  ),
  'points.offerUnavailable': m(
    (p) => `This offer is not available now (offered from ${p.activeFrom ?? 'the start'} until ${p.activeUntil ?? 'further notice'}).`,
    (p) => `此优惠当前不可兑换（兑换期：${p.activeFrom ?? '即日'} 至 ${p.activeUntil ?? '另行通知'}）。`,
  ),
  'points.merchantStaffTaken': m(
    (p) => `${p.field}: person ${p.personId} already works for another merchant; remove them there first.`,
    (p) => `${p.field}：人员 ${p.personId} 已是其他商家的员工，请先在原商家解除。`,
  ),
  'points.statementMonth': m(
    (p) => `${p.field}: must be a month as YYYY-MM, e.g. 2026-11.`,
    (p) => `${p.field}：须为 YYYY-MM 格式的月份，如 2026-11。`,
  ),
  'points.rewardUnavailable': m(
    (p) => `This reward is not offered now (offered from ${p.activeFrom ?? 'the start'} until ${p.activeUntil ?? 'further notice'}).`,
    (p) => `此奖品当前不在兑换期内（兑换期：${p.activeFrom ?? '即日'} 至 ${p.activeUntil ?? '另行通知'}）。`,
  ),
  forbidden: m(
    () => 'You are not allowed to do this.',
    () => '您无权执行此操作。',
  ),
  notFound: m(
    (p) => `No ${p.entity} with id ${p.id} exists.`,
    (p) => `找不到编号为 ${p.id} 的${p.entityZh ?? p.entity}。`,
  ),
  'input.required': m(
    (p) => `${p.field}: must not be empty.`,
    (p) => `${p.field}：不能为空。`,
  ),
  'input.tooLong': m(
    (p) => `${p.field}: must be at most ${p.max} characters.`,
    (p) => `${p.field}：长度不能超过 ${p.max} 个字符。`,
  ),
  'input.outOfRange': m(
    (p) => `${p.field}: must be between ${p.min} and ${p.max}.`,
    (p) => `${p.field}：必须在 ${p.min} 到 ${p.max} 之间。`,
  ),
  'input.invalidFormat': m(
    (p) => `${p.field}: has an invalid format.`,
    (p) => `${p.field}：格式不正确。`,
  ),
  'input.controlCharacter': m(
    (p) => `${p.field}: holds a control or text-direction character (${p.character}) that text may not contain; remove it.`,
    (p) => `${p.field}：含有不允许的控制字符或文字方向字符（${p.character}），请删除。`,
  ),
  'input.invisibleCharacter': m(
    (p) => `${p.field}: holds an invisible character (${p.character}) with which two texts that look the same would differ; remove it.`,
    (p) => `${p.field}：含有看不见的字符（${p.character}），会让看起来相同的文字实际不同，请删除。`,
  ),
  'input.lineBreak': m(
    (p) => `${p.field}: must be a single line, without line breaks or tabs (${p.character}).`,
    (p) => `${p.field}：只能填写一行，不能含有换行或制表符（${p.character}）。`,
  ),
  'input.invalid': m(
    (p) => `${p.field}: is not valid${p.detail ? ` (${p.detail})` : ''}.`,
    (p) => `${p.field}：取值无效${p.detail ? `（${p.detail}）` : ''}。`,
  ),
  'input.unknownReference': m(
    (p) => `${p.field}: no ${p.entity} with id ${p.id} exists.`,
    (p) => `${p.field}：找不到编号为 ${p.id} 的${p.entityZh ?? p.entity}。`,
  ),
  'input.inFuture': m(
    (p) => `${p.field}: must not be in the future.`,
    (p) => `${p.field}：不能晚于当前时间。`,
  ),
  'input.inPast': m(
    (p) => `${p.field}: must not be in the past.`,
    (p) => `${p.field}：不能早于当前时间。`,
  ),
  'input.cursor': m(
    (p) => `${p.field}: is not a cursor this list gave out.`,
    (p) => `${p.field}：不是本列表返回的游标。`,
  ),
  'figures.rangeInverted': m(
    (p) => `${p.field}: the last day (${p.to}) is before the first (${p.from}).`,
    (p) => `${p.field}：结束日期（${p.to}）早于开始日期（${p.from}）。`,
  ),
  'figures.rangeTooLong': m(
    (p) => `${p.field}: ${p.from} to ${p.to} is ${p.days} days; ask for at most ${p.max} days at a time.`,
    (p) => `${p.field}：${p.from} 至 ${p.to} 共 ${p.days} 天，每次最多查询 ${p.max} 天。`,
  ),
  'org.cycle': m(
    (p) => `${p.field}: a unit cannot be moved under itself or one of its descendants.`,
    (p) => `${p.field}：不能把单位移动到它自身或其下级单位之下。`,
  ),
  'org.levelParent': m(
    (p) => `${p.field}: a ${p.level} must sit under a ${p.parentLevel}, not a ${p.actual}.`,
    (p) => `${p.field}：${p.levelZh}的上级必须是${p.parentLevelZh}，不能是${p.actualZh}。`,
  ),
  'org.levelRoot': m(
    (p) => `${p.field}: only the district center has no parent.`,
    (p) => `${p.field}：只有区级中心可以没有上级单位。`,
  ),
  'org.singleCenter': m(
    () => 'The district already has a center.',
    () => '本区已经有一个新时代文明实践中心。',
  ),
  'org.hasChildren': m(
    (p) => `${p.field}: the level of a unit with sub-units cannot change.`,
    (p) => `${p.field}：有下级单位的单位不能修改层级。`,
  ),
  'org.demonstrationLevel': m(
    (p) => `${p.field}: a ${p.level} cannot be a demonstration site; demonstration sites are institutes, stations and points.`,
    (p) => `${p.field}：${p.levelZh}不能设为示范单位，示范单位只能是实践所、实践站或实践点（示范所、示范站、示范点）。`,
  ),
  'org.teamParent': m(
    (p) => `${p.field}: a ${p.kind} team cannot sit under a ${p.parentKind} team.`,
    (p) => `${p.field}：${p.kindZh}不能隶属于${p.parentKindZh}。`,
  ),
  conflict: m(
    (p) => `${p.field}: ${p.value} is already taken.`,
    (p) => `${p.field}：${p.value} 已被占用。`,
  ),
  'volunteer.alreadyRegistered': m(
    (p) => `${p.field}: this person is already registered as a volunteer (status ${p.value}).`,
    (p) => `${p.field}：此人已注册为志愿者（状态 ${p.value}）。`,
  ),
  'person.documentNumber': m(
    (p) => `${p.field}: is not a valid ${p.documentType} number; it must be ${p.rule}.`,
    (p) => `${p.field}：不是有效的${p.documentTypeZh}号码，应为${p.ruleZh}。`,
  ),
  'person.documentMismatch': m(
    (p) => `${p.field}: does not match the ${p.what} the document number carries (${p.fromNumber}); leave it out or correct it.`,
    (p) => `${p.field}：与证件号码中的${p.whatZh}（${p.fromNumber}）不一致，请删除或更正。`,
  ),
  'volunteer.consentRequired': m(
    (p) => `${p.field}: the person is ${p.age}, so registering them needs the consent of their ${p.needed} (a consent with givenBy ${p.needed === 'guardian' ? 'GUARDIAN' : 'LEGAL_REPRESENTATIVE'}, the representative's name and relation).`,
    (p) => `${p.field}：此人 ${p.age} 周岁，注册须经其${p.neededZh}同意（须提供${p.neededZh}的同意记录，写明姓名和关系）。`,
  ),
  'consent.paperReference': m(
    (p) => `${p.field}: an assisted consent needs the reference of the signed paper form (e.g. its archive number).`,
    (p) => `${p.field}：代为登记的同意须注明已签字纸质同意书的编号（如档案编号）。`,
  ),
  'volunteer.alreadyMember': m(
    (p) => `${p.field}: the volunteer already belongs to team ${p.value}.`,
    (p) => `${p.field}：该志愿者已是队伍 ${p.value} 的成员。`,
  ),
  'record.correctionOpen': m(
    (p) => `${p.field}: the service record already has an open correction request (${p.value}); wait for staff's decision on it.`,
    (p) => `${p.field}：该服务记录已有待处理的更正申请（${p.value}），请等待工作人员处理。`,
  ),
  'record.sameMinutes': m(
    (p) => `${p.field}: the record already has ${p.minutes} minutes; propose the minutes you believe are right.`,
    (p) => `${p.field}：该记录的时长已是 ${p.minutes} 分钟，请填写您认为正确的时长。`,
  ),
  'exchange.rangeOrder': m(
    (p) => `${p.field}: the end of the range must come after its start.`,
    (p) => `${p.field}：结束时间须晚于开始时间。`,
  ),
  'certificate.invalidUscc': m(
    (p) => `${p.field}: is not a valid unified social credit code (18 characters, GB 32100-2015 check character).`,
    (p) => `${p.field}：不是有效的统一社会信用代码（18 位，校验码须符合 GB 32100-2015）。`,
  ),
  'certificate.notTheVolunteersRecord': m(
    (p) => `${p.field}: service record ${p.id} is not a record of this volunteer.`,
    (p) => `${p.field}：服务记录 ${p.id} 不是该志愿者的记录。`,
  ),
  'certificate.notOrganizedByUnit': m(
    (p) => `${p.field}: service record ${p.id} was not organized by the issuing unit or a unit below it; only the recording unit certifies (谁记录谁证明).`,
    (p) => `${p.field}：服务记录 ${p.id} 不是出具单位或其下级单位组织的活动记录，须由记录单位出具证明（谁记录谁证明）。`,
  ),
  'certificate.notVerified': m(
    (p) => `${p.field}: service record ${p.id} is not verified; only verified records can be certified.`,
    (p) => `${p.field}：服务记录 ${p.id} 尚未核实，只能为已核实的记录出具证明。`,
  ),
  'certificate.legalMissing': m(
    (p) => `${p.field}: the issuing unit has no legal name, unified social credit code and head on record; give them, or set them on the unit first.`,
    (p) => `${p.field}：出具单位尚未登记法定名称、统一社会信用代码和负责人，请填写，或先在单位信息中登记。`,
  ),
  'certificate.fontMissing': m(
    () => 'The certificate PDF cannot be made now: its font is not installed on the server (CERTIFICATE_FONT; Debian: fonts-wqy-zenhei). The certificate itself stands and verifies; try again once the font is installed.',
    () => '暂时无法生成证明 PDF：服务器未安装证明所用字体（CERTIFICATE_FONT；Debian 系统安装 fonts-wqy-zenhei）。证明本身有效，可正常查验；请在安装字体后重试。',
  ),
  'certificate.otherVolunteer': m(
    (p) => `${p.field}: the certificate to replace was issued to another volunteer.`,
    (p) => `${p.field}：被替换的证明是为其他志愿者出具的。`,
  ),
  'exchange.externalIdTaken': m(
    (p) => `${p.field}: ${p.value} is already the id of another entry in that system; check the number.`,
    (p) => `${p.field}：${p.value} 已是该系统中另一条目的编号，请核对。`,
  ),
  'recognition.proofRequired': m(
    (p) => `${p.field}: a higher body's award is recorded with its proof (the certificate's document number, or the id of its uploaded photo).`,
    (p) => `${p.field}：上级机关授予的表彰须附证明（证书文号，或已上传的证书照片编号）。`,
  ),
  'recognition.notEligible': m(
    (p) =>
      `${p.field}: level ${p.level} needs ${p.neededHours} verified hours; the volunteer has ${p.verifiedHours}, so is eligible up to level ${p.eligibleLevel}.`,
    (p) => `${p.field}：${p.level} 星须有 ${p.neededHours} 小时已审核服务时长，该志愿者现有 ${p.verifiedHours} 小时，最高可评 ${p.eligibleLevel} 星。`,
  ),
  'recognition.thresholdsRising': m(
    (p) => `${p.field}: each level needs more hours than the one below it.`,
    (p) => `${p.field}：每一星级所需时长须高于下一级。`,
  ),
  'recognition.recordRejected': m(
    (p) => `${p.field}: the record was rejected, so there is no service on it to evaluate.`,
    (p) => `${p.field}：该服务记录已被驳回，没有可评价的服务。`,
  ),
  invalidTransition: m(
    (p) => `Cannot ${p.event} when the ${p.entity} is ${p.from}${p.to ? ` (it cannot go from ${p.from} to ${p.to})` : ''}.`,
    (p) =>
      `${p.entityZh ?? p.entity}处于“${p.fromZh ?? p.from}”状态，不能执行“${p.eventZh ?? p.event}”` +
      `${p.to ? `（不能从“${p.fromZh ?? p.from}”变为“${p.toZh ?? p.to}”）` : ''}。`,
  ),
  'limit.depth': m(
    (p) => `The query is ${p.actual} levels deep; the limit is ${p.max}.`,
    (p) => `查询嵌套深度为 ${p.actual} 层，超过上限 ${p.max} 层。`,
  ),
  'limit.cost': m(
    (p) => `The query's estimated cost is ${p.actual}; the limit is ${p.max}. Ask for fewer items per list.`,
    (p) => `查询的估算成本为 ${p.actual}，超过上限 ${p.max}。请减少每个列表请求的条数。`,
  ),
  'limit.aliases': m(
    (p) => `The query uses ${p.actual} aliases; the limit is ${p.max}.`,
    (p) => `查询使用了 ${p.actual} 个别名，超过上限 ${p.max} 个。`,
  ),
  'limit.subscriptions': m(
    (p) => `This connection already has ${p.max} subscriptions; complete one first or open another connection.`,
    (p) => `此连接已有 ${p.max} 个订阅，请先结束一个或另开连接。`,
  ),
  'limit.sockets': m(
    (p) => `You already have ${p.max} live connections open; close one first.`,
    (p) => `您已打开 ${p.max} 个实时连接，请先关闭一个。`,
  ),
  'live.resumeCursor': m(
    () => 'Not a resume position of this feed: pass the `cursor` of the last change you received.',
    () => '不是此订阅的续传位置：请传入最后收到的变更的 `cursor`。',
  ),
  'limit.body': m(
    (p) => `The request body is larger than ${p.max} bytes.`,
    (p) => `请求体超过 ${p.max} 字节的上限。`,
  ),
  'limit.rate': m(
    (p) => `Too many requests: at most ${p.limit} per minute; try again in ${p.retryAfterSeconds} s.`,
    (p) => `请求过于频繁：每分钟最多 ${p.limit} 次，请 ${p.retryAfterSeconds} 秒后再试。`,
  ),
  'request.batchRefused': m(
    () => 'Batched requests (a JSON array of operations) are not accepted; send one operation per request.',
    () => '不接受批量请求（JSON 数组形式的多个操作），请每次请求只发送一个操作。',
  ),
  'request.unknownOperation': m(
    (p) => `The document has no operation named "${p.operationName}".`,
    (p) => `请求的文档中没有名为“${p.operationName}”的操作。`,
  ),
  'request.operationNameRequired': m(
    () => 'The document holds several operations; name the one to run in operationName.',
    () => '请求的文档包含多个操作，请在 operationName 中指明要执行的操作。',
  ),
  'documents.notFound': m(
    (p) => `No trusted document is registered with id ${p.documentId}; publish your app's manifest (npm run documents:publish) or send a document id from it.`,
    (p) => `没有登记编号为 ${p.documentId} 的可信文档；请先发布应用的文档清单（npm run documents:publish），或发送清单中的文档编号。`,
  ),
  'documents.required': m(
    () => 'This gateway runs only registered documents: send the documentId of an operation from your app\'s published manifest.',
    () => '本网关只执行已登记的文档：请发送应用已发布清单中该操作的 documentId。',
  ),
  'cors.originNotAllowed': m(
    (p) => `Pages on ${p.origin} may not call this gateway from a browser: their origin is not in its CORS_ORIGINS.`,
    (p) => `来自 ${p.origin} 的网页不能在浏览器中调用本网关：该来源不在网关的 CORS_ORIGINS 允许列表中。`,
  ),
  'open311.apiKey': m(
    () => 'api_key is missing or not a key this server issued.',
    () => 'api_key 缺失，或不是本平台发放的密钥。',
  ),
  'open311.unknownService': m(
    (p) => `${p.field}: ${p.code} is not a service of this server; GET services.json lists them.`,
    (p) => `${p.field}：${p.code} 不是本平台的服务类别，可用的类别见 services.json。`,
  ),
  'open311.location': m(
    () => 'Give the location: lat and long, or address_string.',
    () => '请提供位置：lat 和 long，或 address_string。',
  ),
  'open311.format': m(
    (p) => `Only JSON is served: ask for ${p.path}.json.`,
    (p) => `本接口只提供 JSON 格式：请请求 ${p.path}.json。`,
  ),
  'open311.unknownPath': m(
    (p) => `${p.path} is not a GeoReport v2 resource; see ${p.discovery}.`,
    (p) => `${p.path} 不是 GeoReport v2 资源，请参阅 ${p.discovery}。`,
  ),
  'open311.method': m(
    (p) => `${p.method} is not allowed here; use ${p.allowed}.`,
    (p) => `此处不允许 ${p.method} 请求，请使用 ${p.allowed}。`,
  ),
  'open311.tooMany': m(
    (p) => `${p.field}: at most ${p.max} values.`,
    (p) => `${p.field}：最多 ${p.max} 个值。`,
  ),
  'request.malformed': m(
    (p) => `The request could not be read: ${p.detail}.`,
    (p) => `无法解析请求：${p.detail}。`,
  ),
  'media.tooLarge': m(
    (p) => `The photo is larger than ${p.max} bytes.`,
    (p) => `照片超过 ${p.max} 字节的上限。`,
  ),
  'media.unsupportedType': m(
    (p) => `${p.field}: must be a JPEG, PNG or WebP image.`,
    (p) => `${p.field}：必须是 JPEG、PNG 或 WebP 格式的图片。`,
  ),
  'media.oneFile': m(
    (p) => `${p.field}: send one photo as multipart/form-data (a single file field).`,
    (p) => `${p.field}：请以 multipart/form-data 上传一张照片（只含一个文件字段）。`,
  ),
  'media.uploadId': m(
    (p) => `${p.field}: is not an upload of yours, or it has expired; upload the photo again.`,
    (p) => `${p.field}：不是您上传的照片，或已过期，请重新上传。`,
  ),
  'media.alreadyAttached': m(
    (p) => `${p.field}: this photo is already attached elsewhere; upload it again.`,
    (p) => `${p.field}：此照片已用于其他记录，请重新上传。`,
  ),
  'media.urlInvalid': m(
    () => 'This photo link is not valid.',
    () => '照片链接无效。',
  ),
  'media.urlExpired': m(
    () => 'This photo link has expired; load the page again for a fresh one.',
    () => '照片链接已过期，请刷新页面获取新链接。',
  ),
  'activity.endsBeforeStart': m(
    (p) => `${p.field}: must be after the start.`,
    (p) => `${p.field}：必须晚于开始时间。`,
  ),
  'activity.capacityBelowTaken': m(
    (p) => `${p.field}: ${p.taken} places are already taken; the capacity cannot be lower.`,
    (p) => `${p.field}：已有 ${p.taken} 人占用名额，名额不能少于此数。`,
  ),
  'activity.notSignedUp': m(
    (p) => `${p.field}: you have not signed up for this activity.`,
    (p) => `${p.field}：您没有报名此活动。`,
  ),
  'activity.tooFar': m(
    (p) => `${p.field}: you are ${p.distance} m from the place; ${p.action} is accepted within ${p.radius} m.`,
    (p) => `${p.field}：您距活动地点 ${p.distance} 米，须在 ${p.radius} 米范围内${p.actionZh ?? p.action}。`,
  ),
  'activity.alreadySignedUp': m(
    (p) => `${p.field}: you have already signed up for activity ${p.value}.`,
    (p) => `${p.field}：您已报名此活动（编号 ${p.value}），不能重复报名。`,
  ),
  'activity.outsideWindow': m(
    (p) => `You can ${p.action} only between ${p.opensAt} and ${p.closesAt}.`,
    (p) => `${p.actionZh ?? p.action}时间为 ${p.opensAtZh ?? p.opensAt} 至 ${p.closesAtZh ?? p.closesAt}（北京时间），现在不能${p.actionZh ?? p.action}。`,
  ),
  'activity.signUpClosed': m(
    (p) => `The activity ended at ${p.endsAt}; it no longer takes sign-ups.`,
    (p) => `活动已于 ${p.endsAtZh ?? p.endsAt} 结束，不能再报名。`,
  ),
  'activity.notEnded': m(
    (p) => `The activity ends at ${p.endsAt}; it can be completed only after that.`,
    (p) => `活动将于 ${p.endsAtZh ?? p.endsAt} 结束，结束后才能办结。`,
  ),
  'record.heldForReview': m(
    (p) =>
      `This service record is held for review (${p.heldReason}): it is of a person serving their own unit in a staff role (条例 Art. 19), ` +
      'so only staff of a unit above that unit may decide it, never the person themself.',
    () => '该服务记录待复核：记录对象以工作人员身份服务本单位（《志愿服务条例》第十九条），须由上级单位工作人员审核，本人不能审核。',
  ),
  'activity.skillsMissing': m(
    (p) => `This activity needs skills your volunteer profile does not list: ${p.missing}.`,
    (p) => `参加此活动需要以下技能，您的志愿者资料中没有：${p.missingZh ?? p.missing}。`,
  ),
  'activity.activeVolunteersOnly': m(
    (p) =>
      `Only active (approved) volunteers can do this; ${p.status === 'NONE' ? 'you have not registered as a volunteer' : `your volunteer status is ${p.status}`}.`,
    (p) => `只有审核通过的志愿者才能执行此操作${p.status === 'NONE' ? '，您尚未注册为志愿者' : `，您的志愿者状态为“${p.statusZh ?? p.status}”`}。`,
  ),
  'order.notStation': m(
    (p) => `${p.field}: unit ${p.id} is a ${p.level}; orders go to a station or a practice point.`,
    (p) => `${p.field}：单位 ${p.id} 不是实践站或实践点，订单只能派给实践站或实践点。`,
  ),
  'order.notAssignee': m(
    (p) => `${p.field}: volunteer ${p.id} is not assigned to this order; minutes are recorded only for its assignees.`,
    (p) => `${p.field}：志愿者 ${p.id} 未被分配到此订单，只能为已分配的志愿者记录服务时长。`,
  ),
  'order.listedTwice': m(
    (p) => `${p.field}: volunteer ${p.id} is listed more than once.`,
    (p) => `${p.field}：志愿者 ${p.id} 重复出现。`,
  ),
  'order.notVisitOfPlan': m(
    (p) => `${p.field}: order ${p.id} is not a visit of this care plan.`,
    (p) => `${p.field}：订单 ${p.id} 不是此关爱计划的走访订单。`,
  ),
  'order.noAssignees': m(
    () => 'Cannot start the service: no volunteer is assigned to the order yet (it stays ACCEPTED).',
    () => '订单尚未分配志愿者，不能开始服务（订单仍为“已接单”）。',
  ),
  'notifications.idsOrAll': m(
    (p) => `${p.field}: give either the ids of notifications to mark read (1 to ${p.max}) or all: true, not both.`,
    (p) => `${p.field}：请指定要标为已读的通知 id（1 到 ${p.max} 个）或 all: true，二者选一。`,
  ),
  'notifications.unknownKind': m(
    (p) => `${p.field}: ${p.kind} is not a kind of notification; use one of the event types people are notified of, or * for all.`,
    (p) => `${p.field}：${p.kind} 不是通知类型；请使用会发送通知的事件类型，或用 * 表示全部。`,
  ),
  'wechat.invalidCode': m(
    () => 'The WeChat code is invalid, expired or already used; call wx.login (or getPhoneNumber) again for a fresh one.',
    () => '微信登录凭证（code）无效、已过期或已使用，请重新调用 wx.login（或手机号授权）获取新的凭证。',
  ),
  'wechat.rateLimited': m(
    () => 'WeChat is refusing calls for a moment (too many sign-ins); try again in a minute.',
    () => '微信接口调用过于频繁，请一分钟后再试。',
  ),
  'wechat.blocked': m(
    () => 'WeChat has blocked this WeChat user from signing in to mini-programs.',
    () => '该微信用户已被微信限制登录小程序。',
  ),
  'wechat.unavailable': m(
    () => 'WeChat cannot be reached right now; try again shortly.',
    () => '暂时无法连接微信服务，请稍后重试。',
  ),
  'wechat.notEnabled': m(
    () => 'Sign-in with WeChat is not enabled on this platform.',
    () => '本平台未开通微信登录。',
  ),
  'wechat.invalidTicket': m(
    (p) => `${p.field}: the ticket is invalid or has expired; sign in with WeChat again.`,
    (p) => `${p.field}：凭证无效或已过期，请重新使用微信登录。`,
  ),
  'wechat.alreadyBound': m(
    (p) => `${p.field}: this WeChat account, or the account of ${p.value}, is already bound to another; unbind it first.`,
    (p) => `${p.field}：该微信账号或 ${p.value} 的账户已与其他账号绑定，请先解除绑定。`,
  ),
  'service.databaseUnavailable': m(
    () => 'The service cannot reach its database right now; try again shortly (with the same idempotency key, if the request has one).',
    () => '服务暂时无法连接数据库，请稍后重试（请求带有幂等键时请使用同一个）。',
  ),
  'service.unavailable': m(
    () => 'This part of the answer comes from a service that cannot be reached right now; try again shortly.',
    () => '提供这部分数据的服务暂时无法访问，请稍后重试。',
  ),
  internal: m(
    () => 'Something went wrong on our side. It has been logged.',
    () => '服务器内部错误，已记录。',
  ),
} satisfies Record<string, Message>;

export type MessageKey = keyof typeof messages;

export function translate(key: MessageKey, params: Params, locale: Locale): string {
  return messages[key][locale](params);
}
