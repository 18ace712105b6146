import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TeamKind } from './team-kinds';

/** A volunteer team. `homeUnitPath` copies its home unit's path so scope checks need no join. */
@Entity({ name: 'team' })
export class Team {
  @PrimaryColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text', unique: true })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  kind!: TeamKind;

  @Column({ type: 'text', nullable: true })
  specialty!: string | null;

  @Column({ name: 'parent_team_id', type: 'bigint', nullable: true })
  parentTeamId!: string | null;

  @Column({ name: 'home_unit_id', type: 'bigint' })
  homeUnitId!: string;

  @Column({ name: 'home_unit_path', type: 'text' })
  homeUnitPath!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
