// Turns a device family's settings (the JSON Schema `devices.setup` sends, made by
// z.toJSONSchema from the family's zod schema) into the fields of a set-up form, and the
// form's typed-in values back into settings, with what is wrong per field. Pure: no React, no
// words (screens translate field names by family kind, and the problems by their code).

/** A JSON Schema node as z.toJSONSchema writes it; only what a settings form uses. */
export interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

interface FieldBase {
  /** The property's name (what labels are looked up by). */
  name: string;
  /** Where the value sits in the settings, e.g. ['framing', 'startMarker']. */
  path: string[];
}

export type SettingsField =
  | FieldBase & {
    type: 'text'; required: boolean; nullable: boolean; defaultValue?: string | null;
    minLength?: number; maxLength?: number; pattern?: string;
  }
  | FieldBase & { type: 'integer'; required: boolean; defaultValue?: number; minimum?: number; maximum?: number }
  | FieldBase & { type: 'boolean'; defaultValue?: boolean }
  | FieldBase & { type: 'choice'; required: boolean; options: string[]; defaultValue?: string }
  /** One of several shapes told apart by a constant property (e.g. the MRZ framing by `framing`). */
  | FieldBase & { type: 'variants'; discriminator: string; variants: { value: string; fields: SettingsField[] }[] }
  | FieldBase & { type: 'group'; fields: SettingsField[] };

/** The form as typed: leaves are the text of an input or a checkbox's state; variants keep their discriminator. */
export type FormValues = { [name: string]: string | boolean | FormValues };

/** What is wrong with a field; `rejected` is the kiosk's refusal of a value the form could not check itself. */
export type FieldProblem =
  | { code: 'required' | 'integer' | 'pattern' | 'rejected' }
  | { code: 'min' | 'max' | 'minLength' | 'maxLength'; limit: number };

export const pathKey = (path: readonly (string | number)[]) => path.join('.');

/** The fields of a family's settings, in the schema's order; `kind` (a constant) is not a field. */
export function settingsFields(schema: JsonSchema): SettingsField[] {
  return objectFields(schema, schema, []);
}

function resolve(root: JsonSchema, node: JsonSchema): JsonSchema {
  const prefix = '#/$defs/';
  if (!node.$ref?.startsWith(prefix)) return node;
  const target = root.$defs?.[node.$ref.slice(prefix.length)];
  return target ? { ...target, ...node, $ref: undefined } : node;
}

function objectFields(root: JsonSchema, node: JsonSchema, at: string[], skip?: string): SettingsField[] {
  const required = new Set(node.required ?? []);
  return Object.entries(node.properties ?? {}).flatMap(([name, raw]) => {
    const property = resolve(root, raw);
    if (name === skip || property.const !== undefined) return [];
    const field = toField(root, property, name, [...at, name], required.has(name));
    return field ? [field] : [];
  });
}

function toField(root: JsonSchema, node: JsonSchema, name: string, path: string[], required: boolean): SettingsField | null {
  const alternatives = (node.anyOf ?? node.oneOf ?? []).map((option) => resolve(root, option));
  const nonNull = alternatives.filter((option) => option.type !== 'null');
  if (alternatives.length > 0 && nonNull.length === 1) {
    // `X | null`: an empty input means null.
    const inner = toField(root, { ...nonNull[0], default: node.default }, name, path, required);
    return inner?.type === 'text' ? { ...inner, nullable: nonNull.length < alternatives.length } : inner;
  }
  if (nonNull.length > 1) return variantsField(root, nonNull, name, path);
  if (node.enum) {
    return { type: 'choice', name, path, required, options: node.enum.map(String), ...(typeof node.default === 'string' ? { defaultValue: node.default } : {}) };
  }
  switch (node.type) {
    case 'string':
      return {
        type: 'text', name, path, required, nullable: false,
        ...(typeof node.default === 'string' || node.default === null ? { defaultValue: node.default } : {}),
        ...(node.minLength !== undefined ? { minLength: node.minLength } : {}),
        ...(node.maxLength !== undefined ? { maxLength: node.maxLength } : {}),
        ...(node.pattern !== undefined ? { pattern: node.pattern } : {}),
      };
    case 'integer':
    case 'number': {
      const minimum = node.exclusiveMinimum !== undefined ? node.exclusiveMinimum + 1 : node.minimum;
      const maximum = node.exclusiveMaximum !== undefined ? node.exclusiveMaximum - 1 : node.maximum;
      return {
        type: 'integer', name, path, required,
        ...(typeof node.default === 'number' ? { defaultValue: node.default } : {}),
        // zod writes ±MAX_SAFE_INTEGER for "any integer": no limit worth showing.
        ...(minimum !== undefined && Math.abs(minimum) < Number.MAX_SAFE_INTEGER ? { minimum } : {}),
        ...(maximum !== undefined && Math.abs(maximum) < Number.MAX_SAFE_INTEGER ? { maximum } : {}),
      };
    }
    case 'boolean':
      return { type: 'boolean', name, path, ...(typeof node.default === 'boolean' ? { defaultValue: node.default } : {}) };
    case 'object':
      return { type: 'group', name, path, fields: objectFields(root, node, path) };
    default:
      return null;
  }
}

/** Object options that share one property with a constant value in each. */
function variantsField(root: JsonSchema, options: JsonSchema[], name: string, path: string[]): SettingsField | null {
  const first = options[0]?.properties ?? {};
  const discriminator = Object.keys(first).find((key) =>
    options.every((option) => option.properties?.[key] && resolve(root, option.properties[key]).const !== undefined));
  if (!discriminator) return null;
  return {
    type: 'variants', name, path, discriminator,
    variants: options.map((option) => ({
      value: String(resolve(root, option.properties![discriminator]!).const),
      fields: objectFields(root, option, path, discriminator),
    })),
  };
}

/** Settings the kiosk never sends back (a module password): their field starts empty, and left empty keeps the stored value. */
const WRITE_ONLY = new Set(['password']);

/** The form's first values: the stored settings where there are some, else the schema's defaults. */
export function initialValues(fields: readonly SettingsField[], stored: Record<string, unknown> | null): FormValues {
  const values: FormValues = {};
  for (const field of fields) {
    const current = stored?.[field.name];
    switch (field.type) {
      case 'boolean':
        values[field.name] = typeof current === 'boolean' ? current : field.defaultValue ?? false;
        break;
      case 'group':
      case 'variants': {
        const inner = current !== null && typeof current === 'object' ? current as Record<string, unknown> : null;
        if (field.type === 'group') values[field.name] = initialValues(field.fields, inner);
        else {
          const chosen = field.variants.find((variant) => variant.value === inner?.[field.discriminator]) ?? field.variants[0]!;
          values[field.name] = { ...initialValues(field.variants.flatMap((variant) => variant.fields), inner), [field.discriminator]: chosen.value };
        }
        break;
      }
      default: {
        const value = WRITE_ONLY.has(field.name) ? undefined : current !== undefined ? current : field.defaultValue;
        values[field.name] = value === undefined || value === null ? '' : String(value);
      }
    }
  }
  return values;
}

/** An integer as typed: decimal, or hex with 0x (module addresses are written FFFFFFFF in manuals). */
function parseInteger(text: string): number | null {
  const trimmed = text.trim();
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
  if (/^0x[0-9a-f]+$/i.test(trimmed)) return Number.parseInt(trimmed.slice(2), 16);
  return null;
}

export interface FormResult {
  settings: Record<string, unknown>;
  problems: Map<string, FieldProblem>;
}

/**
 * The settings the form's values stand for, and each field's problem. An empty optional field
 * is left out, so the kiosk keeps its default (or, for a module password, the stored one).
 */
export function settingsFromValues(fields: readonly SettingsField[], values: FormValues): FormResult {
  const problems = new Map<string, FieldProblem>();
  const settings = collect(fields, values, problems);
  return { settings, problems };
}

function collect(fields: readonly SettingsField[], values: FormValues, problems: Map<string, FieldProblem>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    const key = pathKey(field.path);
    switch (field.type) {
      case 'boolean':
        out[field.name] = value === true;
        break;
      case 'group':
        out[field.name] = collect(field.fields, asValues(value), problems);
        break;
      case 'variants': {
        const inner = asValues(value);
        const chosen = field.variants.find((variant) => variant.value === inner[field.discriminator]) ?? field.variants[0]!;
        out[field.name] = { [field.discriminator]: chosen.value, ...collect(chosen.fields, inner, problems) };
        break;
      }
      default: {
        const text = typeof value === 'string' ? value.trim() : '';
        if (text === '') {
          if (field.type === 'text' && field.nullable) out[field.name] = null;
          else if (field.required) problems.set(key, { code: 'required' });
          break;
        }
        const problem = field.type === 'integer' ? integerProblem(field, text) : field.type === 'text' ? textProblem(field, text) : null;
        if (problem) problems.set(key, problem);
        else out[field.name] = field.type === 'integer' ? parseInteger(text) : text;
      }
    }
  }
  return out;
}

function asValues(value: unknown): FormValues {
  return value !== null && typeof value === 'object' ? value as FormValues : {};
}

function integerProblem(field: Extract<SettingsField, { type: 'integer' }>, text: string): FieldProblem | null {
  const number = parseInteger(text);
  if (number === null || !Number.isSafeInteger(number)) return { code: 'integer' };
  if (field.minimum !== undefined && number < field.minimum) return { code: 'min', limit: field.minimum };
  if (field.maximum !== undefined && number > field.maximum) return { code: 'max', limit: field.maximum };
  return null;
}

function textProblem(field: Extract<SettingsField, { type: 'text' }>, text: string): FieldProblem | null {
  if (field.minLength !== undefined && text.length < field.minLength) return { code: 'minLength', limit: field.minLength };
  if (field.maxLength !== undefined && text.length > field.maxLength) return { code: 'maxLength', limit: field.maxLength };
  if (field.pattern !== undefined && !new RegExp(field.pattern).test(text)) return { code: 'pattern' };
  return null;
}

/**
 * The kiosk's refusal of settings (DEVICES_SETTINGS_INVALID names the wrong fields by their
 * dotted paths, e.g. `framing.startMarker`) as problems of the form's fields; a name that is no
 * field of the form (the settings as a whole, a field the form does not show) counts as `unplaced`.
 */
export function problemsFromRefusal(fields: readonly SettingsField[], refused: readonly string[]): {
  problems: Map<string, FieldProblem>;
  unplaced: number;
} {
  const known = new Set(allPaths(fields));
  const problems = new Map<string, FieldProblem>();
  let unplaced = 0;
  for (const name of refused) {
    const path = name.split('.');
    // The nearest field the refusal lies in: a refusal inside a group names the group.
    const key = [...Array(path.length).keys()].map((i) => pathKey(path.slice(0, path.length - i))).find((candidate) => known.has(candidate));
    if (key) problems.set(key, { code: 'rejected' });
    else unplaced += 1;
  }
  return { problems, unplaced };
}

function allPaths(fields: readonly SettingsField[]): string[] {
  return fields.flatMap((field) => [
    pathKey(field.path),
    ...(field.type === 'group' ? allPaths(field.fields) : []),
    ...(field.type === 'variants' ? field.variants.flatMap((variant) => allPaths(variant.fields)) : []),
  ]);
}

/** Every field name a form of these fields can show, variants' discriminators included (for the locale check). */
export function fieldNames(fields: readonly SettingsField[]): string[] {
  return [...new Set(fields.flatMap((field) => [
    field.name,
    ...(field.type === 'group' ? fieldNames(field.fields) : []),
    ...(field.type === 'variants' ? fieldNames(field.variants.flatMap((variant) => variant.fields)) : []),
  ]))];
}

/** Every choice value a form of these fields can show, by field name (for the locale check). */
export function choiceValues(fields: readonly SettingsField[]): [string, string][] {
  return fields.flatMap((field): [string, string][] => {
    if (field.type === 'choice') return field.options.map((option) => [field.name, option]);
    if (field.type === 'group') return choiceValues(field.fields);
    if (field.type === 'variants') {
      return [...field.variants.map((variant): [string, string] => [field.name, variant.value]), ...choiceValues(field.variants.flatMap((variant) => variant.fields))];
    }
    return [];
  });
}
