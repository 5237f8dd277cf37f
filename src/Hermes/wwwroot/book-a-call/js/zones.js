// Days and times in the time zone the visitor reads them in: the browser's own zone, or one they chose from the list of
// IANA zones (Intl.supportedValuesOf('timeZone')). The choice is kept in localStorage.call_data with the booking data.
import { KEYS, show, store } from './common.js';

// ICU writes "9:00 AM" with a narrow no-break space: plain spaces read the same.
const plain = text => text.replace(/[\u202f\u00a0]/g, ' ');
const pad = n => String(n).padStart(2, '0');

export function detectedZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function isZone(name) {
  if (typeof name !== 'string' || !name) return false;
  try { new Intl.DateTimeFormat('en-US', { timeZone: name }); return true; } catch { return false; }
}

/** The zone chosen before (kept with the booking data), else the browser's. */
export function rememberedZone() {
  const chosen = store.json(KEYS.callData)?.timezone;
  return isZone(chosen) ? chosen : detectedZone();
}

/** Keeps the choice with the other booking data (call_data), adding to it rather than replacing it. */
export function rememberZone(zone) {
  const data = store.json(KEYS.callData);
  store.set(KEYS.callData, JSON.stringify({ ...(data && typeof data === 'object' ? data : {}), timezone: zone }));
}

/** Formatting and calendar days in one zone. Months are { y, m } with m from 0; day keys are 'YYYY-MM-DD' in the zone. */
export function inZone(zone) {
  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZone: zone });
  const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', timeZone: zone });
  const parts = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'numeric', day: 'numeric', timeZone: zone });
  // Calendar cells are dates, not instants: they are formatted as UTC dates so no zone can shift them.
  const cellFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });
  const monthFormat = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  const ymd = date => {
    const p = Object.fromEntries(parts.formatToParts(date).map(x => [x.type, x.value]));
    return { y: Number(p.year), m: Number(p.month) - 1, d: Number(p.day) };
  };
  const time = date => plain(timeFormat.format(date));
  return {
    zone,
    time,
    day: date => plain(dayFormat.format(date)),
    span: ([start, end]) => `${time(start)} - ${time(end)}`,
    ymd,
    dayKey: date => { const { y, m, d } = ymd(date); return `${y}-${pad(m + 1)}-${pad(d)}`; },
    monthOf: date => { const { y, m } = ymd(date); return { y, m }; },
    monthLabel: ({ y, m }) => monthFormat.format(new Date(Date.UTC(y, m, 1))),
    cellLabel: (y, m, d) => plain(cellFormat.format(new Date(Date.UTC(y, m, d)))),
  };
}

/** "GMT+11:00" for a zone now (what the list shows next to each name). */
function offset(zone) {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date())
      .find(p => p.type === 'timeZoneName')?.value;
    return name === 'GMT' ? 'GMT+00:00' : name || '';
  } catch { return ''; }
}

function zones(current) {
  let list = [];
  try { list = Intl.supportedValuesOf('timeZone'); } catch { /* an older browser: only the current zone */ }
  return list.includes(current) ? list : [current, ...list];
}

/**
 * The "Change" button next to the zone's name: opens a search box over a list of every zone; choosing one calls
 * onChange(zone) and remembers it. Elements: { name, button, panel, search, list }.
 */
export function zonePicker({ name, button, panel, search, list }, zone, onChange) {
  let all = null;
  name.textContent = zone;
  const fill = () => {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const matches = all.filter(z => words.every(w => z.label.toLowerCase().replace(/_/g, ' ').includes(w)));
    list.replaceChildren(...matches.map(z => new Option(z.label, z.zone, false, z.zone === zone)));
    if (list.selectedIndex < 0 && list.options.length) list.selectedIndex = 0;
  };
  const close = () => { show(panel, false); button.setAttribute('aria-expanded', 'false'); };
  const choose = chosen => {
    if (!isZone(chosen)) return;
    close();
    if (chosen === zone) return;
    zone = chosen;
    name.textContent = zone;
    rememberZone(zone);
    onChange(zone);
    button.focus();
  };
  button.addEventListener('click', () => {
    if (!panel.hidden) { close(); return; }
    all ??= zones(zone).map(z => ({ zone: z, label: `${z} (${offset(z)})` }));
    search.value = '';
    fill();
    show(panel);
    button.setAttribute('aria-expanded', 'true');
    search.focus();
  });
  search.addEventListener('input', fill);
  search.addEventListener('keydown', e => {
    if (e.key === 'Enter') { e.preventDefault(); choose(list.value); }
    else if (e.key === 'ArrowDown') { e.preventDefault(); list.focus(); }
    else if (e.key === 'Escape') { close(); button.focus(); }
  });
  list.addEventListener('change', () => { if (list.dataset.keyboard !== 'true') choose(list.value); });
  // With the keyboard, arrows move through the list and Enter chooses.
  list.addEventListener('keydown', e => {
    list.dataset.keyboard = 'true';
    if (e.key === 'Enter') { e.preventDefault(); choose(list.value); }
    else if (e.key === 'Escape') { close(); button.focus(); }
  });
  list.addEventListener('pointerdown', () => { list.dataset.keyboard = 'false'; });
  list.addEventListener('click', e => { if (e.target instanceof HTMLOptionElement) choose(e.target.value); });
}
