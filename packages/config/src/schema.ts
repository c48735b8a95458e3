import schema from './schema.json' with { type: 'json' }

/**
 * The config file's JSON schema (draft-07), written from `configDeclaration` by `pnpm config:schema` (a test keeps them
 * equal). Importing it makes `tsc` copy it to `dist/config/`, where the export `./config-schema.json` points.
 */
export const configSchema: Readonly<Record<string, unknown>> = schema
