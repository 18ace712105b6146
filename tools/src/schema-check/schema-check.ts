import { Change, CriticalityLevel, diff } from '@graphql-inspector/core';
import {
  DocumentNode,
  getNamedType,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  Kind,
  parse,
  TypeInfo,
  typeFromAST,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/** The documents of one manifest still in use: an app version in the registry, or a committed manifest file. */
export interface InUseManifest {
  /** Where it comes from, for the report: `registry: kz-console 1.2.0`, `libs/client/persisted-documents.json`. */
  source: string;
  documents: ReadonlyMap<string, string>;
}

/** A change the comparison found, with the in-use operations that touch it. */
export interface CheckedChange {
  change: Change;
  usedBy: string[];
}

/** An in-use document the new schema breaks. */
export interface BrokenDocument {
  source: string;
  hash: string;
  operations: string[];
  /** graphql's validation errors against the new schema, and the breaking changes it touches. */
  problems: string[];
}

export interface SchemaCheckReport {
  breaking: CheckedChange[];
  dangerous: CheckedChange[];
  safe: number;
  documents: number;
  broken: BrokenDocument[];
  notes: string[];
  ok: boolean;
}

/**
 * What an operation relies on, as schema coordinates of the schema it was written against: `Type.field` of every
 * selected field, `Type.field.arg` of every argument given, and the names of the types it reads or sends. Input
 * objects and enums are "containers": a change to any of their members may touch the operation (its variables can
 * carry any input field; an answer can hold any enum value).
 */
export function operationCoordinates(schema: GraphQLSchema, document: DocumentNode): { coordinates: Set<string>; containers: Set<string> } {
  const coordinates = new Set<string>();
  const containers = new Set<string>();
  const addNamed = (type: GraphQLNamedType) => {
    if (coordinates.has(type.name)) return;
    coordinates.add(type.name);
    if (isEnumType(type)) containers.add(type.name);
    if (isInputObjectType(type)) {
      containers.add(type.name);
      for (const field of Object.values(type.getFields())) {
        coordinates.add(`${type.name}.${field.name}`);
        addNamed(getNamedType(field.type));
      }
    }
  };
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      VariableDefinition(node) {
        const type = typeFromAST(schema, node.type) as GraphQLInputType | undefined;
        if (type) addNamed(getNamedType(type));
      },
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) return;
        coordinates.add(`${parent.name}.${field.name}`);
        addNamed(getNamedType(field.type));
      },
      Argument() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        const argument = typeInfo.getArgument();
        if (!parent || !field || !argument) return;
        coordinates.add(`${parent.name}.${field.name}.${argument.name}`);
        addNamed(getNamedType(argument.type));
      },
    }),
  );
  return { coordinates, containers };
}

/** Whether a change at `path` touches what an operation relies on. */
export function touches(path: string, used: { coordinates: Set<string>; containers: Set<string> }): boolean {
  for (const coordinate of used.coordinates) {
    if (coordinate === path || coordinate.startsWith(`${path}.`)) return true; // the thing itself, or what holds it
  }
  for (const container of used.containers) if (path.startsWith(`${container}.`)) return true;
  return false;
}

function operationNames(document: DocumentNode): string[] {
  const names = document.definitions.flatMap((definition) => (definition.kind === Kind.OPERATION_DEFINITION ? [definition.name?.value ?? '(anonymous)'] : []));
  return names.length > 0 ? names : ['(no operation)'];
}

/**
 * Compares the new API schema with the released one (graphql-inspector) and checks every in-use document against the
 * new one: it breaks when graphql's validation fails, or when it touches a breaking change (a field whose type
 * changed still validates, but the app reading it does not expect the new answer). Fails only for breaking changes
 * an in-use operation touches; the others are listed.
 */
export async function checkSchema(input: { released: GraphQLSchema; current: GraphQLSchema; manifests: InUseManifest[]; notes?: string[] }): Promise<SchemaCheckReport> {
  const changes = await diff(input.released, input.current);
  const breaking: CheckedChange[] = [];
  const dangerous: CheckedChange[] = [];
  for (const change of changes) {
    if (change.criticality.level === CriticalityLevel.Breaking) breaking.push({ change, usedBy: [] });
    else if (change.criticality.level === CriticalityLevel.Dangerous) dangerous.push({ change, usedBy: [] });
  }
  const broken: BrokenDocument[] = [];
  let documents = 0;
  for (const manifest of input.manifests) {
    for (const [hash, body] of manifest.documents) {
      documents += 1;
      let document: DocumentNode;
      try {
        document = parse(body);
      } catch (error) {
        broken.push({ source: manifest.source, hash, operations: ['(unparsable)'], problems: [(error as Error).message] });
        continue;
      }
      const operations = operationNames(document);
      const label = `${manifest.source}: ${operations.join(', ')}`;
      const problems = validate(input.current, document).map((error) => error.message);
      const used = operationCoordinates(input.released, document);
      for (const checked of [...breaking, ...dangerous]) {
        if (!checked.change.path || !touches(checked.change.path, used)) continue;
        checked.usedBy.push(label);
        if (checked.change.criticality.level === CriticalityLevel.Breaking) problems.push(`touches a breaking change: ${checked.change.message}`);
      }
      if (problems.length > 0) broken.push({ source: manifest.source, hash, operations, problems });
    }
  }
  return { breaking, dangerous, safe: changes.length - breaking.length - dangerous.length, documents, broken, notes: input.notes ?? [], ok: broken.length === 0 };
}

/** The report as the command prints it. */
export function formatReport(report: SchemaCheckReport): string {
  const lines: string[] = [];
  const changeLine = ({ change, usedBy }: CheckedChange) =>
    `  ${usedBy.length > 0 ? '✗' : '·'} ${change.message}${change.path ? ` (${change.path})` : ''}${usedBy.length > 0 ? `\n      used by ${usedBy.join('; ')}` : ' — used by no operation in use'}`;
  lines.push(`Breaking changes against the released schema: ${report.breaking.length}`, ...report.breaking.map(changeLine));
  lines.push(`Dangerous changes: ${report.dangerous.length}`, ...report.dangerous.map(changeLine));
  lines.push(`Safe changes: ${report.safe}`);
  lines.push(`Documents in use checked: ${report.documents}`);
  for (const note of report.notes) lines.push(`note: ${note}`);
  if (report.broken.length > 0) {
    lines.push(`Operations in use that this schema breaks: ${report.broken.length}`);
    for (const broken of report.broken) {
      lines.push(`  ✗ ${broken.source}: ${broken.operations.join(', ')} (sha256 ${broken.hash.slice(0, 12)}…)`, ...broken.problems.map((problem) => `      ${problem}`));
    }
  }
  lines.push(
    report.ok
      ? 'schema:check passed: no operation in use is broken'
      : 'schema:check FAILED: keep the old field or argument until the app versions using it are retired (npm run documents:retire), or deprecate first',
  );
  return lines.join('\n');
}
