// The camera page's range panel: a range typed in or selected on the timeline, exported as MP4
// (parts listed as separate downloads when the server answers 409) or evidence-locked.

import { api, isAbort, type TimeRange, type User } from '../api';
import { button, field, h, replace } from '../dom';
import { exportRange } from '../download';
import { formatBytes, formatDateTime, formatDuration, fromLocalInputValue, kUsPerHour, toLocalInputValue } from '../format';
import { canOperate, reportError } from '../page';
import { timeInput } from '../time_input';
import type { MessageBar } from '../messages';

const kMaxExportUs = 6 * kUsPerHour; // docs/ref/api.md: at most 6 hours per request

export interface ExportPanelOptions {
  user: User;
  messages: MessageBar;
  camera: () => string;
  stream: () => string | null; // the recorded stream, null if the camera records nothing
  onRangeInput(range: TimeRange | null): void; // typed range: show it on the timeline
  onSelectMode(on: boolean): void;
}

export class ExportPanel {
  readonly el: HTMLElement;
  private readonly start = timeInput('export-start');
  private readonly end = timeInput('export-end');
  private readonly selectButton: HTMLButtonElement;
  private readonly result = h('div', { class: 'export-result', 'aria-live': 'polite', dataset: { testid: 'export-result' } });
  private controller: AbortController | null = null;

  constructor(private readonly opts: ExportPanelOptions) {
    const onInput = () => this.opts.onRangeInput(this.range());
    this.start.addEventListener('change', onInput);
    this.end.addEventListener('change', onInput);
    this.selectButton = button('Select on timeline', () => this.setSelectMode(this.selectButton.getAttribute('aria-pressed') !== 'true'),
      { 'aria-pressed': 'false', class: 'toggle' });
    const operator = canOperate(opts.user);
    this.el = h('section', { class: 'panel export-panel', 'aria-labelledby': 'export-heading' },
      h('h2', { id: 'export-heading' }, 'Range'),
      h('div', { class: 'row' }, field('From', this.start), field('To', this.end), this.selectButton),
      operator
        ? h('div', { class: 'row' },
          button('Export MP4', () => void this.export(), { class: 'primary', dataset: { testid: 'export' } }),
          button('Lock as evidence', () => void this.protect(true), { title: 'Retention will never delete this range' }),
          button('Unlock', () => void this.protect(false)))
        : h('p', { class: 'muted' }, 'Exporting and evidence locks need the operator role.'),
      this.result);
  }

  dispose(): void {
    this.controller?.abort();
  }

  setRange(range: TimeRange | null): void {
    this.start.value = range ? toLocalInputValue(range.start_us) : '';
    this.end.value = range ? toLocalInputValue(range.end_us) : '';
  }

  setSelectMode(on: boolean): void {
    this.selectButton.setAttribute('aria-pressed', String(on));
    this.opts.onSelectMode(on);
  }

  private range(): TimeRange | null {
    const start = fromLocalInputValue(this.start.value);
    const end = fromLocalInputValue(this.end.value);
    return start !== null && end !== null && end > start ? { start_us: start, end_us: end } : null;
  }

  private checkedRange(): TimeRange | null {
    const range = this.range();
    if (!range) {
      replace(this.result, h('p', { class: 'error-text' }, 'Choose a start and an end (the end after the start), ' +
        'or select a range on the timeline.'));
      return null;
    }
    return range;
  }

  // Exports the panel's range, or `part` of it (a part the server named in a 409).
  private async export(part?: TimeRange): Promise<void> {
    const range = part ?? this.checkedRange();
    const stream = this.opts.stream();
    if (!range) return;
    if (!stream) {
      replace(this.result, h('p', { class: 'error-text' }, 'This camera records nothing, so there is nothing to export.'));
      return;
    }
    if (range.end_us - range.start_us > kMaxExportUs) {
      replace(this.result, h('p', { class: 'error-text' }, 'An export can cover at most 6 hours. Choose a shorter range.'));
      return;
    }
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const camera = this.opts.camera();
    const status = h('span', {}, 'Preparing the export…');
    const progress = h('progress', { max: 1, 'aria-label': 'Export progress' });
    replace(this.result, h('p', { class: 'row' }, status, progress, button('Cancel', () => controller.abort())));
    try {
      const result = await exportRange(camera, stream, range, controller.signal, (bytes, total) => {
        status.textContent = `Downloading: ${formatBytes(bytes)}${total ? ` of ${formatBytes(total)}` : ''}`;
        if (total) progress.value = bytes / total;
        else progress.removeAttribute('value');
      });
      if (result.kind === 'parts') {
        replace(this.result,
          h('p', {}, result.message || 'This range has gaps or several resolutions; download it in parts:'),
          h('ul', { class: 'parts', dataset: { testid: 'export-parts' } }, ...result.parts.map((part, i) =>
            h('li', {}, button(`Part ${i + 1}: ${formatDateTime(part.start_us)} to ${formatDateTime(part.end_us)} ` +
              `(${formatDuration(part.end_us - part.start_us)})`, () => void this.export(part), { class: 'link' })))));
      } else {
        replace(this.result, h('p', {}, `Saved ${result.filename} (${formatBytes(result.bytes)}).`));
      }
    } catch (e) {
      if (isAbort(e)) {
        replace(this.result, h('p', {}, 'Export cancelled.'));
        return;
      }
      replace(this.result);
      reportError(this.opts.messages, 'export', e);
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }

  private async protect(lock: boolean): Promise<void> {
    const range = this.checkedRange();
    if (!range) return;
    try {
      const { segments } = await api.protect(this.opts.camera(), range, lock);
      replace(this.result, h('p', {}, lock
        ? `Locked ${segments} segment file${segments === 1 ? '' : 's'} as evidence: retention will keep them.`
        : `Unlocked ${segments} segment file${segments === 1 ? '' : 's'}: normal retention applies again.`));
    } catch (e) {
      reportError(this.opts.messages, 'protect', e);
    }
  }
}
