import schema from './schema.json' with { type: 'json' }

/**
 * JSON schema (draft-07) of the config file, written from `configDeclaration` (declaration.ts) by
 * `pnpm config:schema` (a test keeps the two equal). Importing it here is also what makes `tsc`
 * copy `schema.json` to `dist/config/`, where the package export `./config-schema.json` points.
 */
export const configSchema: Readonly<Record<string, unknown>> = schema
