import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The seven haves (七有), in the order the standard lists them. */
export const SEVEN_HAVES_ITEMS = ['VENUE', 'SIGNAGE', 'STAFF', 'VOLUNTEER_TEAM', 'PROJECTS', 'RULES', 'FUNDING'] as const;
export type SevenHavesItem = (typeof SEVEN_HAVES_ITEMS)[number];

export const SEVEN_HAVES_LABEL: Record<SevenHavesItem, string> = {
  VENUE: '有活动阵地',
  SIGNAGE: '有统一标识',
  STAFF: '有工作人员',
  VOLUNTEER_TEAM: '有志愿服务队伍',
  PROJECTS: '有活动项目',
  RULES: '有工作制度',
  FUNDING: '有经费保障',
};

/** One assessed line of a site's checklist; lines never assessed have no row and count as not met. */
@Entity({ name: 'seven_haves_check' })
export class SevenHavesCheck {
  @PrimaryColumn({ name: 'unit_id', type: 'bigint' })
  unitId!: string;

  @PrimaryColumn({ type: 'text' })
  item!: SevenHavesItem;

  @Column({ type: 'boolean' })
  met!: boolean;

  @Column({ type: 'text', nullable: true })
  evidence!: string | null;

  @Column({ name: 'updated_by', type: 'text', nullable: true })
  updatedBy!: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
