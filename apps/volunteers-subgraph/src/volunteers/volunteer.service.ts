import type { Actor } from '@kz/auth';
import { Connection, isBigintId, PageArgs, readPage, toConnection } from '@kz/subgraph';
import type { VolunteersLoaders } from '../loaders';
import type { Volunteer } from './volunteer.entity';

/**
 * Reads of volunteers. For now any authenticated caller may read them (only masked personal data is exposed);
 * the scope rules of `ROLES.md` arrive with registration and approval.
 */
export class VolunteerService {
  constructor(
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
  ) {}

  async get(id: string): Promise<Volunteer | null> {
    this.actor.requireAuthenticated();
    return isBigintId(id) ? this.loaders.volunteerById.load(id) : null;
  }

  /** Volunteers whose home station is `stationId`, in id order. */
  async listByHomeStation(stationId: string, args: PageArgs): Promise<Connection<Volunteer>> {
    this.actor.requireAuthenticated();
    const page = readPage(args, 'volunteer');
    if (!isBigintId(stationId)) return toConnection<Volunteer>([], page, 'volunteer', (row) => row.id, async () => 0);
    const rows = await this.loaders.volunteersByHomeStation.load({ parentId: stationId, page });
    return toConnection(rows, page, 'volunteer', (row) => row.id, () => this.loaders.volunteerCountByHomeStation.load(stationId));
  }

  /** Members of team `teamId`, in id order. */
  async listByTeam(teamId: string, args: PageArgs): Promise<Connection<Volunteer>> {
    this.actor.requireAuthenticated();
    const page = readPage(args, 'volunteer');
    if (!isBigintId(teamId)) return toConnection<Volunteer>([], page, 'volunteer', (row) => row.id, async () => 0);
    const rows = await this.loaders.teamMembers.load({ parentId: teamId, page });
    return toConnection(rows, page, 'volunteer', (row) => row.id, () => this.loaders.memberCountByTeam.load(teamId));
  }
}
