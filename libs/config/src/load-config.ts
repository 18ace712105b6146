import { z } from 'zod';
import { Config, DEV_CERTIFICATE_SIGNING_KEY, DEV_CLAIMS_SECRET, DEV_JWT_SECRET, DEV_PII_KEY, DEV_WEBHOOK_SECRET, DEV_WECHAT_APP_SECRET, variables } from './variables';

/** Raised when the environment holds a value the platform cannot run with. Names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Parses the whole environment once at boot. Empty strings count as unset so `FOO=` falls back to the default. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(variables)) {
    const raw = env[name] === '' ? undefined : env[name];
    const result = (variable.schema as z.ZodType).safeParse(raw);
    if (result.success) {
      config[name] = result.data;
    } else {
      const reason = result.error.issues.map((issue) => issue.message).join('; ');
      const shown = 'secret' in variable && variable.secret ? '' : ` (got ${JSON.stringify(raw)})`;
      problems.push(`${name}: ${reason}${shown}`);
    }
  }
  const parsed = config as Config;
  if (problems.length === 0 && parsed.NODE_ENV === 'production') {
    if (parsed.CLAIMS_SIGNING_SECRET === DEV_CLAIMS_SECRET) {
      problems.push('CLAIMS_SIGNING_SECRET: the development default is refused when NODE_ENV=production');
    }
    if (parsed.PASSWORD_HASH_COST < 15) {
      problems.push('PASSWORD_HASH_COST: below 15 is refused when NODE_ENV=production (a cheaper hash is for tests)');
    }
    if (parsed.CERTIFICATE_SIGNING_KEY === DEV_CERTIFICATE_SIGNING_KEY) {
      problems.push('CERTIFICATE_SIGNING_KEY: the development default is refused when NODE_ENV=production');
    }
    if (parsed.PII_ENCRYPTION_KEY === DEV_PII_KEY) {
      problems.push('PII_ENCRYPTION_KEY: the development default is refused when NODE_ENV=production');
    }
    // Without a webhook the secret signs nothing, so only a configured webhook needs a real one.
    if (parsed.NOTIFICATION_WEBHOOK_URL && parsed.NOTIFICATION_WEBHOOK_SECRET === DEV_WEBHOOK_SECRET) {
      problems.push('NOTIFICATION_WEBHOOK_SECRET: the development default is refused when NODE_ENV=production and NOTIFICATION_WEBHOOK_URL is set');
    }
    // WeChat off, the secret is never sent; WeChat on, it must be the mini-program's own.
    if (parsed.WECHAT_APP_ID && parsed.WECHAT_APP_SECRET === DEV_WECHAT_APP_SECRET) {
      problems.push('WECHAT_APP_SECRET: required (the development default is refused) when NODE_ENV=production and WECHAT_APP_ID is set');
    }
    if (parsed.JWT_PUBLIC_KEY && !parsed.JWT_PRIVATE_KEY) {
      problems.push('JWT_PRIVATE_KEY: required with JWT_PUBLIC_KEY, or login tokens could not be verified');
    }
    if (parsed.JWT_SECRET === DEV_JWT_SECRET && !parsed.JWT_PUBLIC_KEY) {
      problems.push('JWT_SECRET: the development default is refused when NODE_ENV=production (or set JWT_PUBLIC_KEY)');
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed;
}

/** For `main.ts`: print the problem and exit non-zero instead of a stack trace. */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/** The configuration table for the README, generated from the variable list. */
export function configTableMarkdown(): string {
  const rows = Object.entries(variables).map(([name, variable]) => {
    const def = (variable.schema as z.ZodType).safeParse(undefined);
    const shown =
      !def.success || def.data === undefined
        ? '(unset)'
        : def.data === ''
          ? '(empty)'
          : `\`${typeof def.data === 'object' ? JSON.stringify(def.data) : String(def.data)}\``;
    return `| \`${name}\` | ${shown} | ${variable.description} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
