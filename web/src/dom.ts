// A tiny element builder: enough structure for plain-TypeScript components without a framework.
// Styles live in styles.css only: the server's CSP (default-src 'self') forbids inline style
// attributes, so `style` is not accepted here (dynamic sizes use the CSSOM, e.g. el.style.width).

export type Child = Node | string | number | null | undefined | false;

type Listener = (event: any) => void;

export interface Props {
  class?: string;
  dataset?: Record<string, string>;
  on?: Record<string, Listener>;
  // Any other attribute: true sets it empty, false/null/undefined leaves it out.
  [attribute: string]: unknown;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') {
      el.className = String(value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'on') {
      for (const [type, fn] of Object.entries(value as Record<string, Listener>)) {
        el.addEventListener(type, fn);
      }
    } else if (key === 'style') {
      throw new Error('h(): inline styles are refused by the CSP; use a class');
    } else if (key === 'value' || key === 'checked' || key === 'selected') {
      (el as any)[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function clear(el: Node): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

// Replaces the children of `el`.
export function replace(el: Node, ...children: Child[]): void {
  clear(el);
  append(el, ...children);
}

// A labelled form field: the label wraps its control so clicking the text focuses it.
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), control,
    hint ? h('span', { class: 'field-hint' }, hint) : null);
}

export function button(label: string, onClick: (event: MouseEvent) => void, props: Props = {}): HTMLButtonElement {
  return h('button', { type: 'button', ...props, on: { click: onClick, ...(props.on ?? {}) } }, label);
}
