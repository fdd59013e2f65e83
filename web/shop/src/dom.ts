// Small DOM helpers: elements are built with h() and text is always set as text, never as HTML,
// so nothing the api returns can inject markup.

type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | EventListener | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    } else if (name === 'text') {
      element.textContent = String(value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  Append(element, ...children);
  return element;
}

export function Append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function Clear(element: Element): void {
  element.replaceChildren();
}

// A labelled form field with its error line (linked by aria-describedby).
export interface Field {
  wrapper: HTMLDivElement;
  input: HTMLInputElement;
  error: HTMLParagraphElement;
}

export function MakeField(
  name: string,
  label: string,
  attributes: Attributes = {},
  hint?: string,
): Field {
  const id = `field-${name}`;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const hintElement = hint ? h('p', { class: 'field-hint', id: `${id}-hint`, text: hint }) : null;
  const input = h('input', {
    id,
    name,
    'aria-describedby': [hintElement ? `${id}-hint` : '', `${id}-error`].join(' ').trim(),
    ...attributes,
  });
  const wrapper = h('div', { class: 'field' }, h('label', { for: id, text: label }), hintElement, input, error);
  return { wrapper, input, error };
}

export function SetFieldError(field: Field, text: string): void {
  field.input.setAttribute('aria-invalid', 'true');
  field.error.textContent = text;
  field.error.hidden = false;
  field.input.focus();
}

export function ClearFieldErrors(form: HTMLElement): void {
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  for (const error of form.querySelectorAll<HTMLElement>('.field-error')) {
    error.textContent = '';
    error.hidden = true;
  }
}

// Money as the api writes it (exactly two decimals); the JSON number of a two-decimal value
// within NUMERIC(10,2) prints back exactly with toFixed(2).
export function Money(value: number): string {
  return value.toFixed(2);
}

export function DateText(rfc3339: string): string {
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? rfc3339 : date.toLocaleString();
}
