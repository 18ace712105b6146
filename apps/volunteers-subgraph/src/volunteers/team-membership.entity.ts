import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A volunteer's membership of a team; the team itself lives in the org subgraph (replicated in `team_ref`). */
@Entity({ name: 'team_membership' })
export class TeamMembership {
  @PrimaryColumn({ name: 'volunteer_id', type: 'bigint' })
  volunteerId!: string;

  @PrimaryColumn({ name: 'team_id', type: 'bigint' })
  teamId!: string;

  @Column({ name: 'is_leader', type: 'boolean', default: false })
  isLeader!: boolean;

  @Column({ name: 'joined_at', type: 'timestamptz', default: () => 'now()' })
  joinedAt!: Date;
}
