import Mustache from 'mustache';

/** An HCL literal for a value: strings quoted (with HCL's `${` and `%{` escaped), lists, numbers, booleans. */
export function hclValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value).replaceAll('${', () => '$${').replaceAll('%{', () => '%%{');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(hclValue).join(', ')}]`;
  throw new TypeError(`no HCL literal for ${typeof value}`);
}

/** Renders a template whose `{{name}}` tags become HCL literals of the view's values. */
export function renderHcl(template: string, view: object): string {
  return Mustache.render(template, view, {}, { escape: hclValue });
}
