import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in with WeChat: the WeChat account (openid, and unionid when the mini-program belongs to an open-platform
 * account) bound to a person, at most one each way, and the history of bindings and unbindings (who, when). WeChat's
 * session key is not stored at all.
 */
export class WeChatBindings1765300000000 implements MigrationInterface {
  name = 'WeChatBindings1765300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE wechat_binding (
        person_id bigint PRIMARY KEY REFERENCES person (id),
        openid text NOT NULL UNIQUE,
        unionid text UNIQUE,
        bound_by text NOT NULL,
        bound_at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE TABLE wechat_binding_history (
        id bigserial PRIMARY KEY,
        person_id bigint NOT NULL REFERENCES person (id),
        openid text NOT NULL,
        unionid text,
        action text NOT NULL CHECK (action IN ('BOUND', 'UNBOUND')),
        actor text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query('CREATE INDEX wechat_binding_history_person_idx ON wechat_binding_history (person_id, at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE wechat_binding_history');
    await runner.query('DROP TABLE wechat_binding');
  }
}
