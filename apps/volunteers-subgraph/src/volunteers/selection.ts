import { FieldNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';

/**
 * Whether the operation selects the field at `path` below the resolved field (e.g. `['edges', 'node', 'person']`),
 * through aliases, inline fragments and named fragments. `@skip`/`@include` are not evaluated: a field they may drop
 * counts as selected, so the answer is only ever a superset. It lets a resolver read ahead what the operation asks
 * for in the same statement; it must never decide what the caller may see.
 */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  return info.fieldNodes.some((node) => selectsIn(info, node.selectionSet, path, 0));
}

function selectsIn(info: GraphQLResolveInfo, set: SelectionSetNode | undefined, path: readonly string[], depth: number): boolean {
  if (!set) return false;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (matches(info, selection, path, depth)) return true;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (selectsIn(info, selection.selectionSet, path, depth)) return true;
    } else {
      const fragment = info.fragments[selection.name.value];
      if (fragment && selectsIn(info, fragment.selectionSet, path, depth)) return true;
    }
  }
  return false;
}

function matches(info: GraphQLResolveInfo, field: FieldNode, path: readonly string[], depth: number): boolean {
  if (field.name.value !== path[depth]) return false;
  return depth === path.length - 1 || selectsIn(info, field.selectionSet, path, depth + 1);
}
