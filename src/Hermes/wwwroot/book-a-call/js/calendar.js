// The month calendar and the day's times, shared by the booker and the manage page. Everything is drawn in the zone of
// the `clock` (zones.js inZone): a slot belongs to the day it starts on in that zone.

const index = ({ y, m }) => y * 12 + m;

/** Slots ([start, end] Dates) grouped by the zone's day key, in order. */
export function byDay(slots, clock) {
  const days = new Map();
  for (const slot of slots) {
    const key = clock.dayKey(slot[0]);
    if (!days.has(key)) days.set(key, []);
    days.get(key).push(slot);
  }
  return days;
}

/** The months the calendar can show for slots offered from `start` to `end`, and the one to open on. */
export function months(clock, start, end, slots, current) {
  const first = clock.monthOf(start), last = clock.monthOf(end);
  const open = current && index(current) >= index(first) && index(current) <= index(last) ? current : clock.monthOf(slots[0]?.[0] ?? start);
  return { first, last, month: open };
}

export function nextMonth({ y, m }, step) {
  const i = index({ y, m }) + step;
  return { y: Math.floor(i / 12), m: ((i % 12) + 12) % 12 };
}

/**
 * Draws `month` into the calendar's table body, Monday first; only days with a slot can be chosen.
 * els: { month (heading), prev, next, body }; view: { first, last, month }.
 */
export function renderMonth(els, view, clock, days, chosenKey, onChoose) {
  const { y, m } = view.month;
  els.month.textContent = clock.monthLabel(view.month);
  els.prev.disabled = index(view.month) <= index(view.first);
  els.next.disabled = index(view.month) >= index(view.last);
  els.body.replaceChildren();
  const lead = (new Date(Date.UTC(y, m, 1)).getUTCDay() + 6) % 7; // cells before the 1st, back to Monday
  const length = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  let row = null;
  for (let cell = 0; cell < Math.ceil((lead + length) / 7) * 7; cell++) {
    if (cell % 7 === 0) row = els.body.insertRow();
    const td = row.insertCell();
    const d = cell - lead + 1;
    if (d < 1 || d > length) continue;
    const key = `${y}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const free = days.get(key)?.length ?? 0;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'day';
    button.textContent = String(d);
    button.dataset.date = key;
    button.disabled = free === 0;
    button.setAttribute('aria-label', `${clock.cellLabel(y, m, d)}, ${free === 0 ? 'no free times' : free === 1 ? '1 free time' : `${free} free times`}`);
    if (key === chosenKey) button.setAttribute('aria-pressed', 'true');
    button.addEventListener('click', () => onChoose(key));
    td.append(button);
  }
}

/** Lists a day's times as buttons; answers the heading text for the day. */
export function renderTimes(list, slots, clock, onChoose) {
  list.replaceChildren();
  for (const slot of slots) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn time';
    button.textContent = clock.span(slot);
    button.addEventListener('click', () => onChoose(slot));
    item.append(button);
    list.append(item);
  }
  return slots.length ? clock.day(slots[0][0]) : '';
}
