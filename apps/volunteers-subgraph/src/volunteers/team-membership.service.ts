import type { DataSource, EntityManager } from 'typeorm';
import { Actor, pathWithin } from '@kz/auth';
import { BadUserInput, Conflict, InvalidTransition, NotFound } from '@kz/errors';
import { parseInput } from '@kz/subgraph';
import { REVIEWERS, STATUS_ZH } from './volunteer-state-machine';
import { Volunteer } from './volunteer.entity';
import { setTeamLeaderInput, teamMembershipInput } from './volunteer.input';
import type { VolunteerService } from './volunteer.service';

/** A team as the org subgraph's events describe it (`team_ref`). */
interface TeamRef {
  id: string;
  code: string;
  kind: string;
  homeUnitPath: string;
}

/** Teams of the whole district, which any volunteer may join wherever they serve. */
const DISTRICT_KINDS = new Set(['CORPS', 'DIRECT', 'LECTURE']);

/** Staff who manage the teams of their subtree: add volunteers, name leaders. */
const TEAM_STAFF = REVIEWERS;

/**
 * Team memberships. A volunteer joins teams based at their station or above it (its squad, its institute's branch)
 * and the district's own teams; staff may add volunteers of their subtree. Only active volunteers join.
 */
export class TeamMembershipService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actor: Actor,
    private readonly volunteers: VolunteerService,
  ) {}

  async join(raw: unknown): Promise<Volunteer> {
    const input = parseInput(teamMembershipInput, raw);
    const volunteer = await this.dataSource.transaction(async (manager) => {
      const current = await this.volunteers.lockTarget(manager, input.volunteerId, TEAM_STAFF);
      const team = await teamOf(manager, input.teamId);
      if (current.status !== 'ACTIVE') {
        throw new InvalidTransition({
          entity: 'volunteer',
          from: current.status,
          event: 'joinTeam',
          entityZh: '志愿者',
          fromZh: STATUS_ZH[current.status],
          eventZh: '加入队伍',
        });
      }
      if (!DISTRICT_KINDS.has(team.kind) && !pathWithin(current.homeStationPath ?? '', team.homeUnitPath)) {
        throw new BadUserInput('input.teamId', {
          key: 'input.invalid',
          detail: "the team is based neither at the volunteer's station nor above it",
        });
      }
      const inserted = await manager.query(
        `INSERT INTO team_membership (volunteer_id, team_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING team_id`,
        [current.id, team.id],
      );
      if (inserted.length === 0) throw new Conflict('input.teamId', team.code, 'volunteer.alreadyMember');
      return current;
    });
    return this.volunteers.changed(volunteer);
  }

  /** Leaves a team, in any status: the volunteer themself, or staff of the subtree. */
  async leave(raw: unknown): Promise<Volunteer> {
    const input = parseInput(teamMembershipInput, raw);
    const volunteer = await this.dataSource.transaction(async (manager) => {
      const current = await this.volunteers.lockTarget(manager, input.volunteerId, TEAM_STAFF);
      const [, deleted] = await manager.query('DELETE FROM team_membership WHERE volunteer_id = $1 AND team_id = $2', [current.id, input.teamId]);
      if (!deleted) throw new NotFound('TeamMembership', input.teamId, '队伍成员关系');
      return current;
    });
    return this.volunteers.changed(volunteer);
  }

  /** Makes a member the team's leader, or not: staff in scope of the team's home unit. */
  async setLeader(raw: unknown): Promise<Volunteer> {
    this.actor.requireRole(...TEAM_STAFF);
    const input = parseInput(setTeamLeaderInput, raw);
    const volunteer = await this.dataSource.transaction(async (manager) => {
      const team = await teamOf(manager, input.teamId);
      this.actor.requireScope(team.homeUnitPath, ...TEAM_STAFF);
      const [, updated] = await manager.query('UPDATE team_membership SET is_leader = $3 WHERE team_id = $1 AND volunteer_id = $2', [
        team.id,
        input.volunteerId,
        input.isLeader,
      ]);
      if (!updated) throw new NotFound('TeamMembership', input.volunteerId, '队伍成员关系');
      return manager.findOneByOrFail(Volunteer, { id: input.volunteerId });
    });
    return this.volunteers.changed(volunteer);
  }
}

async function teamOf(manager: EntityManager, id: string): Promise<TeamRef> {
  const [team] = await manager.query('SELECT id::text, code, kind, home_unit_path AS "homeUnitPath" FROM team_ref WHERE id = $1', [id]);
  if (!team) throw new BadUserInput('input.teamId', { key: 'input.unknownReference', entity: 'team', entityZh: '队伍', id });
  return team as TeamRef;
}
