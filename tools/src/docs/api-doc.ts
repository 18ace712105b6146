import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  extendSchema,
  getVariableValues,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  parse,
  validate,
} from 'graphql';
import { LIVE_SCHEMA_FILE } from '../compose/api-schema';
import { WORKSPACE } from '../compose/compose';

export const API_DOC = join(WORKSPACE, 'docs', 'api.md');
export const SUPERGRAPH = join(WORKSPACE, 'apps', 'gateway', 'supergraph.graphql');
const ERROR_CODES_SOURCE = join(WORKSPACE, 'libs', 'errors', 'src', 'domain-error.ts');

export interface GraphQLExample {
  /** 1-based line of the opening fence, for messages. */
  line: number;
  query: string;
  /** The JSON block right after the GraphQL block (only blank lines between), if any: the example's variables. */
  variables?: string;
}

interface Fence {
  line: number;
  lang: string;
  body: string;
  /** Lines between the previous fence's end and this one's start. */
  gap: string[];
}

function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const out: Fence[] = [];
  let gap: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) {
      gap.push(lines[i]!);
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`unclosed code block at line ${start + 1}`);
    out.push({ line: start + 1, lang: open[1]!, body: body.join('\n'), gap });
    gap = [];
  }
  return out;
}

/** Every ```graphql block of the document, with the ```json block that directly follows it as its variables. */
export function graphqlExamples(markdown: string): GraphQLExample[] {
  const all = fences(markdown);
  const examples: GraphQLExample[] = [];
  all.forEach((fence, index) => {
    if (fence.lang !== 'graphql') return;
    const next = all[index + 1];
    const adjacent = next && next.lang === 'json' && next.gap.every((line) => line.trim() === '');
    examples.push({ line: fence.line, query: fence.body, ...(adjacent ? { variables: next.body } : {}) });
  });
  return examples;
}

/**
 * The graph clients see: the composed supergraph (its join__ directives are declared in the file itself), with the
 * `Subscription` type the gateway serves itself over WebSocket.
 */
export function supergraphSchema(): GraphQLSchema {
  const federated = buildSchema(readFileSync(SUPERGRAPH, 'utf8'));
  return extendSchema(federated, parse(`${readFileSync(LIVE_SCHEMA_FILE, 'utf8')}\nextend schema { subscription: Subscription }`));
}

/** What is wrong with an example against the schema: syntax, validation, and its variables; empty when it is fine. */
export function exampleProblems(schema: GraphQLSchema, example: GraphQLExample): string[] {
  let document;
  try {
    document = parse(example.query);
  } catch (error) {
    return [(error as Error).message];
  }
  const problems = validate(schema, document).map((error) => error.message);
  if (problems.length > 0) return problems;
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== 1) return [`expected one operation per example, found ${operations.length}`];
  let variables: Record<string, unknown> = {};
  if (example.variables !== undefined) {
    try {
      variables = JSON.parse(example.variables) as Record<string, unknown>;
    } catch (error) {
      return [`variables are not JSON: ${(error as Error).message}`];
    }
    const declared = new Set(operations[0]!.variableDefinitions?.map((definition) => definition.variable.name.value));
    const unknown = Object.keys(variables).filter((name) => !declared.has(name));
    if (unknown.length > 0) return [`variables not declared by the operation: ${unknown.join(', ')}`];
  }
  const coerced = getVariableValues(schema, operations[0]!.variableDefinitions ?? [], variables);
  return coerced.errors?.map((error) => error.message) ?? [];
}

/** The members of the `ErrorCode` union in `libs/errors` (read from the source: a type has no runtime value). */
export function domainErrorCodes(): string[] {
  const source = readFileSync(ERROR_CODES_SOURCE, 'utf8');
  const union = /export type ErrorCode =([^;]+);/.exec(source);
  if (!union) throw new Error(`no ErrorCode union in ${ERROR_CODES_SOURCE}`);
  return [...union[1]!.matchAll(/'([A-Z_]+)'/g)].map((match) => match[1]!);
}

/** The codes in the first column of the error table of docs/api.md. */
export function documentedErrorCodes(markdown: string): string[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Errors'));
  if (!section) throw new Error('docs/api.md has no "## Errors" section');
  return [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]!);
}
