import type { Actor, Role } from '@kz/auth';
import { BadUserInput } from '@kz/errors';
import { isBigintId } from '@kz/subgraph';
import type { VolunteersLoaders } from '../loaders';
import { skillsFor } from '../orders/order-category';
import type { Volunteer } from '../volunteers/volunteer.entity';
import { isAvailableAt, rankSuggestions, Ranked, reasonsFor, scoreSuggestion, shanghaiClock } from './suggestion-score';
import type { SuggestionCandidate } from './suggestion.loaders';

/** Staff who dispatch orders and assign volunteers, each in their subtree (`shared/ROLES.md`). */
export const SUGGESTION_STAFF: Role[] = ['STATION_ADMIN', 'INSTITUTE_ADMIN', 'DISPATCHER', 'CENTER_ADMIN'];

export const MAX_SUGGESTIONS = 50;

/** What the gateway hands over of an order (`@requires(fields: "station { id } category location { lat lng }")`). */
export interface OrderRepresentation {
  id: string;
  station?: { id: string } | null;
  category?: string | null;
  location?: { lat: number; lng: number } | null;
}

export interface VolunteerSuggestion {
  volunteer: Volunteer;
  score: number;
  reasons: string[];
}

/**
 * Which volunteers of an order's station fit it best (`ServiceOrder.suggestedVolunteers`): the station's ACTIVE
 * volunteers scored by `scoreSuggestion`, for staff in scope of the station.
 */
export class SuggestionService {
  constructor(
    private readonly actor: Actor,
    private readonly loaders: VolunteersLoaders,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async forOrder(order: OrderRepresentation, first: number | null | undefined): Promise<VolunteerSuggestion[]> {
    this.actor.requireRole(...SUGGESTION_STAFF);
    const limit = first ?? 10;
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_SUGGESTIONS) {
      throw new BadUserInput('first', { key: 'input.outOfRange', min: 0, max: MAX_SUGGESTIONS });
    }
    const stationId = order.station?.id;
    if (!stationId) return []; // not dispatched yet: no station, no volunteers to suggest
    const station = isBigintId(stationId) ? await this.loaders.unitRefById.load(stationId) : null;
    // A station this subgraph does not know is in no one's subtree: only the center admin passes, and finds no one.
    this.actor.requireScope(station?.path ?? '', ...SUGGESTION_STAFF);
    if (!station || limit === 0) return [];

    const candidates = await this.loaders.suggestionCandidatesByStation.load(station.id);
    const fitting = skillsFor(order.category);
    const clock = shanghaiClock(this.now());
    const skillNames = await this.skillNames(fitting);
    const scored: Ranked<Volunteer>[] = candidates.map(({ volunteer, recentServices }: SuggestionCandidate) => {
      const factors = {
        matchedSkills: fitting.filter((code) => volunteer.skills.includes(code)).map((code) => skillNames.get(code) ?? code),
        availableNow: isAvailableAt(volunteer.availability, clock),
        distanceKm: 0, // only volunteers of the order's own station are candidates, and they have no coordinates
        recentServices,
      };
      return { candidate: volunteer, factors, score: scoreSuggestion(factors) };
    });
    return rankSuggestions(scored)
      .slice(0, limit)
      .map(({ candidate, factors, score }) => {
        this.loaders.volunteerById.prime(candidate.id, candidate);
        return { volunteer: candidate, score, reasons: reasonsFor(factors) };
      });
  }

  /** Names of the taxonomy's skills by code (batched with every other order of the request). */
  private async skillNames(codes: readonly string[]): Promise<Map<string, string>> {
    const skills = await this.loaders.skillByCode.loadMany(codes);
    const names = new Map<string, string>();
    for (const skill of skills) if (skill && !(skill instanceof Error)) names.set(skill.code, skill.name);
    return names;
  }
}
