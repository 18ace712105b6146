import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputValueDefinitionNode, Kind, parse, TypeNode } from 'graphql';

/** A reference to a type as written in the schema: its name, whether it is a list, and what is non-null. */
export interface TypeRef {
  name: string;
  list: boolean;
  required: boolean;
  itemRequired: boolean;
}

export interface InputField extends TypeRef {
  field: string;
  /** A text field whose description says "Multi-line": it keeps line breaks and tabs; other text is one line. */
  multiLine: boolean;
}

export interface MutationInfo {
  name: string;
  inputType: string;
  returnsObject: boolean;
}

export interface SupergraphShape {
  mutations: Map<string, MutationInfo>;
  inputs: Map<string, InputField[]>;
  enums: Map<string, string[]>;
  scalars: Set<string>;
}

function typeRef(type: TypeNode): TypeRef {
  let node = type;
  let required = false;
  if (node.kind === Kind.NON_NULL_TYPE) {
    required = true;
    node = node.type;
  }
  if (node.kind === Kind.LIST_TYPE) {
    const inner = node.type;
    const itemRequired = inner.kind === Kind.NON_NULL_TYPE;
    const named = inner.kind === Kind.NON_NULL_TYPE ? inner.type : inner;
    if (named.kind !== Kind.NAMED_TYPE) throw new Error('nested lists are not expected in the supergraph');
    return { name: named.name.value, list: true, required, itemRequired };
  }
  if (node.kind !== Kind.NAMED_TYPE) throw new Error('unexpected type node');
  return { name: node.name.value, list: false, required, itemRequired: false };
}

/**
 * The client-facing shape of the composed supergraph (`apps/gateway/supergraph.graphql`), read from the file itself:
 * every Mutation field with its one `input` argument, every input type and enum. Tests that must cover every
 * mutation enumerate them from here, so a new mutation without a test entry fails.
 */
export function readSupergraph(): SupergraphShape {
  const document = parse(readFileSync(join(__dirname, '../../gateway/supergraph.graphql'), 'utf8'));
  const scalars = new Set(['Int', 'Float', 'String', 'Boolean', 'ID']);
  const inputs = new Map<string, InputField[]>();
  const enums = new Map<string, string[]>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.SCALAR_TYPE_DEFINITION) scalars.add(definition.name.value);
    if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
      inputs.set(
        definition.name.value,
        (definition.fields ?? []).map((field: InputValueDefinitionNode) => ({
          field: field.name.value,
          ...typeRef(field.type),
          multiLine: /\bMulti-line\b/.test(field.description?.value ?? ''),
        })),
      );
    }
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION) enums.set(definition.name.value, (definition.values ?? []).map((value) => value.name.value));
  }
  const mutation = document.definitions.find((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Mutation');
  if (!mutation || mutation.kind !== Kind.OBJECT_TYPE_DEFINITION) throw new Error('no Mutation type in the supergraph');
  const mutations = new Map<string, MutationInfo>();
  for (const field of mutation.fields ?? []) {
    const [arg, ...others] = field.arguments ?? [];
    if (!arg || others.length > 0 || arg.name.value !== 'input') throw new Error(`${field.name.value}: expected exactly one argument, input`);
    mutations.set(field.name.value, { name: field.name.value, inputType: typeRef(arg.type).name, returnsObject: !scalars.has(typeRef(field.type).name) });
  }
  return { mutations, inputs, enums, scalars };
}

/** The mutation document the tests send: the one input as a variable, and `__typename` when it returns an object. */
export function mutationDocument(info: MutationInfo): string {
  return `mutation($input: ${info.inputType}!) { ${info.name}(input: $input)${info.returnsObject ? ' { __typename }' : ''} }`;
}

/**
 * The field names of an object type of the supergraph, as clients select them. Tests that must cover every field of a
 * type (the scope rule of `PracticeUnit`) enumerate them from here, so a new field without a test entry fails.
 */
export function objectFields(typeName: string): string[] {
  const document = parse(readFileSync(join(__dirname, '../../gateway/supergraph.graphql'), 'utf8'));
  const type = document.definitions.find((d) => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === typeName);
  if (!type || type.kind !== Kind.OBJECT_TYPE_DEFINITION) throw new Error(`no object type ${typeName} in the supergraph`);
  return (type.fields ?? []).map((field) => field.name.value);
}
