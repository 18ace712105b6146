import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  GraphQLField,
  GraphQLList,
  GraphQLNamedType,
  GraphQLSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  /** Size assumed for a list field that has no `first` argument. */
  defaultListSize: number;
  /** Known sizes of lists without `first`, by `Type.field`. */
  listSizeHints?: Record<string, number>;
}

export interface QueryMeasure {
  depth: number;
  cost: number;
  aliases: number;
}

/**
 * Measures an operation before any subgraph is called: its depth, its estimated cost (each field costs 1, and a
 * list multiplies what is selected below it by its `first` argument, or by an assumed size) and its aliases.
 * Introspection fields are free, so tools keep working.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  limits: QueryLimits,
  /** Given, receives the names of the variables the measure read (the same for every run of the operation). */
  read?: Set<string>,
): QueryMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let aliases = 0;
  const countedAliases = new Set<FieldNode>();

  const rootType =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();

  /** The fields of a selection set, fragments expanded; `spread` holds the fragments already on this path. */
  function fieldsOf(selectionSet: SelectionSetNode, spread: Set<string>): { field: FieldNode; spread: Set<string> }[] {
    const out: { field: FieldNode; spread: Set<string> }[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) out.push({ field: selection, spread });
      else if (selection.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsOf(selection.selectionSet, spread));
      else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // A fragment cycle is invalid GraphQL (validation refuses it first); never follow one here either.
        if (fragment && !spread.has(name)) out.push(...fieldsOf(fragment.selectionSet, new Set([...spread, name])));
      }
    }
    return out;
  }

  function walk(
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType | null | undefined,
    insideConnection: boolean,
    spreadAbove: Set<string>,
  ): { depth: number; cost: number } {
    let depth = 0;
    let cost = 0;
    for (const { field, spread } of fieldsOf(selectionSet, spreadAbove)) {
      const name = field.name.value;
      if (name.startsWith('__')) continue;
      if (field.alias && !countedAliases.has(field)) {
        countedAliases.add(field);
        aliases += 1;
      }
      const definition: GraphQLField<unknown, unknown> | undefined =
        parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
      const firstArgument = definition?.args.find((arg) => arg.name === 'first');
      const given = argumentValue(field, 'first', variables, read);
      const first = firstArgument
        ? typeof given === 'number'
          ? given
          : typeof firstArgument.defaultValue === 'number'
            ? firstArgument.defaultValue
            : limits.defaultListSize
        : given;
      const isList = definition ? getNullableType(definition.type) instanceof GraphQLList : false;
      let multiplier = 1;
      if (typeof first === 'number') multiplier = Math.max(first, 1);
      else if (isList && !(insideConnection && (name === 'edges' || name === 'nodes'))) {
        multiplier = limits.listSizeHints?.[`${parent?.name}.${name}`] ?? limits.defaultListSize;
      }
      if (field.selectionSet) {
        const child = walk(field.selectionSet, definition ? getNamedType(definition.type) : undefined, typeof first === 'number', spread);
        depth = Math.max(depth, child.depth + 1);
        cost += 1 + multiplier * child.cost;
      } else {
        depth = Math.max(depth, 1);
        cost += 1;
      }
    }
    return { depth, cost };
  }

  const { depth, cost } = walk(operation.selectionSet, rootType, false, new Set());
  return { depth, cost, aliases };
}

function argumentValue(field: FieldNode, name: string, variables: Record<string, unknown>, read: Set<string> | undefined): unknown {
  const argument = field.arguments?.find((arg) => arg.name.value === name);
  if (!argument) return undefined;
  return literal(argument.value, variables, read);
}

function literal(value: ValueNode, variables: Record<string, unknown>, read: Set<string> | undefined): unknown {
  switch (value.kind) {
    case Kind.INT:
      return Number(value.value);
    case Kind.VARIABLE:
      read?.add(value.name.value);
      return variables[value.name.value];
    default:
      return undefined;
  }
}
