import schema from './schema.json' with { type: 'json' }

/** Draft-07, written from `configDeclaration` by `pnpm config:schema` (a test keeps them equal); importing it makes `tsc` copy it to `dist/`. */
export const configSchema: Readonly<Record<string, unknown>> = schema
