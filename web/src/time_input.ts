// A text input for a local date and time in the one format the UI shows times in,
// "2026-11-01 14:03:27" (format.ts). Not <input type="datetime-local">: browsers draw that in
// their locale's format (12-hour with AM/PM in en-US) beside 24-hour times everywhere else.
// Read with fromLocalInputValue, write with toLocalInputValue.

import { h, type Props } from './dom';

export const kTimeInputFormat = 'YYYY-MM-DD HH:MM:SS';

export function timeInput(name: string, props: Props = {}): HTMLInputElement {
  return h('input', {
    type: 'text',
    name,
    class: 'time-input',
    inputmode: 'numeric',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: kTimeInputFormat,
    // What fromLocalInputValue accepts; the form says so before anything is sent.
    pattern: '\\s*\\d{4}-\\d{1,2}-\\d{1,2}(T|\\s+)\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?\\s*',
    title: `Local time, 24-hour clock: ${kTimeInputFormat} (seconds optional)`,
    ...props,
  });
}
