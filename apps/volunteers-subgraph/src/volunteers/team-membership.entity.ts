import { Entity, PrimaryColumn } from 'typeorm';

/** A volunteer's membership of a team; the team itself lives in the org subgraph and is known here by id. */
@Entity({ name: 'team_membership' })
export class TeamMembership {
  @PrimaryColumn({ name: 'volunteer_id', type: 'bigint' })
  volunteerId!: string;

  @PrimaryColumn({ name: 'team_id', type: 'bigint' })
  teamId!: string;
}
