import type * as z from 'zod';
import type { KeyPath } from './yaml-source.ts';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The keys an object schema at `path` allows, following the input value through arrays and unions. */
export function allowedKeys(root: z.ZodType, value: unknown, path: KeyPath): string[] {
  let schema: z.ZodType | undefined = root;
  let current: unknown = value;
  for (const segment of [...path, undefined]) {
    schema = unwrap(schema, current);
    if (!schema) return [];
    if (segment === undefined) break;
    const def = defOf(schema);
    schema = def.type === 'object' ? def.shape?.[segment] : def.type === 'array' ? def.element : undefined;
    current = (current as Record<string | number, unknown> | undefined)?.[segment];
  }
  const def = schema ? defOf(schema) : undefined;
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

function unwrap(schema: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
  while (schema) {
    const def = defOf(schema);
    if (def.innerType) schema = def.innerType;
    else if (def.type === 'pipe') schema = def.in;
    else if (def.type === 'union' && def.discriminator && def.options) {
      const tag = (value as Record<string, unknown> | undefined)?.[def.discriminator];
      schema = def.options.find((o) => {
        const literal = defOf(o).shape?.[def.discriminator!];
        return literal !== undefined && literal.safeParse(tag).success;
      });
    } else return schema;
  }
  return undefined;
}
