// The per-rep booker (/book-a-call/{admin_id}/): a month calendar of the admin's free days, the chosen day's times in
// the visitor's own time zone (or one they choose), then the form. Sales reps are booked by anyone; a support booking needs the signed link
// a support admin made in TC2 (?s=&admin_id=&company_id=&e=, and &ex=1 for an express link), checked with Hermes first.
import { CURRENCIES, KEYS, PAGES, avatar, bookerUrl, call, countryCode, currencyFor, loadReps, show, store } from './common.js';
import { dialCode } from './countries.js';
import { byDay, months, nextMonth, renderMonth, renderTimes } from './calendar.js';
import { inZone, rememberedZone, zonePicker } from './zones.js';

const $ = id => document.getElementById(id);
const params = new URLSearchParams(location.search);
const adminId = Number(location.pathname.split('/').filter(Boolean).pop());
let zone = rememberedZone();
let clock = inZone(zone); // days and times in `zone`

const STANDARD_NOTICE_MINUTES = 120; // the website never offers a call sooner than 2 hours ahead…
const EXPRESS_NOTICE_MINUTES = 15;   // …except through an express support link
const SLOT_TAKEN = 'Admin is not free at this time.';

const state = {
  rep: null,          // the reps file's entry (null for a support admin who isn't in it)
  support: null,      // { s, e, companyId, companyName, express } for a support booking
  country: 'GB',
  slots: [],          // [[start, end]] as Dates
  byDay: new Map(),   // day key (in the zone) → its slots
  range: null,        // [start, end] of the times offered
  view: null,         // { first, last, month }: months as { y, m } in the zone
  day: null,          // the chosen day's key
  slot: null,         // the chosen [start, end]
};

function fail(message, { home = false } = {}) {
  show($('loading'), false);
  show($('booker'), false);
  show($('problem-title'));
  const box = $('error');
  box.replaceChildren(message);
  if (home) {
    const link = document.createElement('a');
    link.href = `${PAGES}/`;
    link.textContent = 'See our sales team';
    box.append(' ', link, '.');
  }
  show(box);
}

const NEW_LINK = 'Please ask your account manager for a new support link.';

/** Checks the support link with Hermes; answers the link's details or null after showing why it can't be used. */
async function supportLink() {
  const s = params.get('s'), e = params.get('e'), companyId = params.get('company_id');
  if (!s || !e || !companyId || !/^\d+$/.test(e) || !/^\d+$/.test(companyId)) {
    fail(`This support link is incomplete or not valid. ${NEW_LINK}`);
    return null;
  }
  const query = new URLSearchParams({ admin_id: String(adminId), company_id: companyId, e, s });
  const { ok, status, data } = await call(`/callbooker/support-link/validate/?${query}`);
  if (ok && data?.status === 'ok') return { s, e, companyId, companyName: data.company_name, express: data.express === true };
  if (status === 403 && data?.message === 'Link has expired') fail(`This support link has expired. ${NEW_LINK}`);
  else if (status === 403) fail(`This support link is not valid. ${NEW_LINK}`);
  else if (status === 404) fail(`We couldn't find your company from this support link. ${NEW_LINK}`);
  else fail("We couldn't check this support link just now. Please refresh the page in a minute.");
  return null;
}

async function loadAvailability() {
  const notice = state.support?.express ? EXPRESS_NOTICE_MINUTES : STANDARD_NOTICE_MINUTES;
  const start = new Date(Date.now() + notice * 60_000);
  const end = new Date(start);
  end.setMonth(end.getMonth() + 1);
  // Hermes offers slots from start_dt (never sooner than 15 minutes ahead): the 2-hour rule is the page's to apply.
  const query = new URLSearchParams({ admin_id: String(adminId), start_dt: start.toISOString(), end_dt: end.toISOString() });
  const { ok, data } = await call(`/callbooker/availability/?${query}`);
  if (!ok || !Array.isArray(data?.slots)) {
    bookingError("We couldn't load the free times just now. Please refresh the page to try again.");
    state.slots = [];
  } else {
    state.slots = data.slots.map(([a, b]) => [new Date(a), new Date(b)]).filter(([a]) => a >= start).sort((x, y) => x[0] - y[0]);
  }
  state.range = [start, end];
  group();
  if (state.slots.length) $('duration').textContent = `${Math.round((state.slots[0][1] - state.slots[0][0]) / 60_000)} minutes`;
  show($('no-slots'), state.slots.length === 0);
  lowAvailability();
}

/** Groups the slots by day and places the months, in the current zone (again after the zone changes). */
function group() {
  state.byDay = byDay(state.slots, clock);
  state.view = months(clock, state.range[0], state.range[1], state.slots, state.view?.month);
}

/** Fewer than 3 free days in the coming week: point to the rep's colleague (sales only: a support link is for one admin). */
function lowAvailability() {
  const box = $('low-availability');
  const alt = state.support ? null : state.reps?.find(r => r.hermes_admin_id === state.rep?.alt_hermes_admin_id && r.hermes_admin_id !== adminId);
  const today = clock.dayKey(new Date()), weekEnd = clock.dayKey(new Date(Date.now() + 8 * 86_400_000));
  const days = new Set(state.slots.map(([a]) => clock.dayKey(a)).filter(key => key >= today && key < weekEnd));
  if (!alt || days.size >= 3) { show(box, false); return; }
  const link = document.createElement('a');
  link.href = bookerUrl(alt.hermes_admin_id, Object.fromEntries(['rb', 'currency'].filter(k => params.get(k)).map(k => [k, params.get(k)])));
  link.textContent = `${alt.name}'s calendar`;
  box.replaceChildren(`${state.rep.name} has few free times in the next week. If none of them suits you, try `, link, '.');
  show(box);
}

function renderCalendar() {
  renderMonth({ month: $('month'), prev: $('prev-month'), next: $('next-month'), body: $('calendar').tBodies[0] },
    state.view, clock, state.byDay, state.day, chooseDay);
}

function step(name) {
  for (const s of ['calendar', 'times', 'form', 'done']) show($(`step-${s}`), s === name);
}

function chooseDay(key) {
  state.day = key;
  const list = $('times');
  $('day-heading').textContent = renderTimes(list, state.byDay.get(key) ?? [], clock, chooseTime);
  step('times');
  list.querySelector('button')?.focus();
}

function chooseTime(slot) {
  state.slot = slot;
  $('form-heading').replaceChildren(clock.day(slot[0]), document.createElement('br'), `@ ${clock.span(slot)} (${zone})`);
  show($('form-error'), false);
  step('form');
  $('name').focus();
}

function bookingError(message) {
  $('booking-error').textContent = message;
  show($('booking-error'), Boolean(message));
}

// ---- the form ----

const FIELDS = ['name', 'email', 'company', 'website', 'phone', 'revenue', 'currency'];
// Hermes's field names (in its 422 answers) → the form's
const FROM_HERMES = { name: 'name', email: 'email', company_name: 'company', website: 'website', phone: 'phone', estimated_income: 'revenue', price_plan: 'revenue', currency: 'currency' };

function fillRevenue(currency, index) {
  const select = $('revenue');
  select.replaceChildren(new Option('Please select', '', false, false));
  select.options[0].disabled = true;
  CURRENCIES[currency].brackets.forEach(([plan, label], i) => { const o = new Option(label, label); o.dataset.plan = plan; select.add(o); });
  select.selectedIndex = Number.isInteger(index) && index >= 0 && index < CURRENCIES[currency].brackets.length ? index + 1 : 0;
}

function prepareForm() {
  const q = name => params.get(name)?.trim() || '';
  $('name').value = q('name');
  $('email').value = q('email');
  if (state.support) {
    $('step-form').querySelector('[data-sales]').remove();
    const company = $('company');
    company.value = state.support.companyName;
    company.readOnly = true;
    $('submit').textContent = 'Book support call';
    return;
  }
  $('company').value = q('company');
  $('website').value = q('website');
  // A stored phone is "<dialling code> <number>": split it back into the two boxes.
  const phone = q('phone');
  const split = /^(\+\d{1,4})\s+(.+)$/.exec(phone);
  $('phone-ext').value = split ? split[1] : dialCode(state.country);
  $('phone').value = split ? split[2] : phone;

  const currencySelect = $('currency');
  for (const [code, { label }] of Object.entries(CURRENCIES)) currencySelect.add(new Option(label, code));
  const currency = CURRENCIES[q('currency')] ? q('currency') : currencyFor(state.country);
  currencySelect.value = currency;
  const rb = /^\d+$/.test(q('rb')) ? Number(q('rb')) : null;
  fillRevenue(currency, rb);
  currencySelect.addEventListener('change', () => fillRevenue(currencySelect.value, $('revenue').selectedIndex - 1));
}

function isWebsite(value) {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value.includes('://') ? value : `https://${value}`);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.') && !url.hostname.startsWith('.') && !url.hostname.endsWith('.');
  } catch {
    return false;
  }
}

function setError(field, message) {
  const input = $(field), box = $(`${field}-error`);
  if (!input || !box) return false;
  box.textContent = message || '';
  show(box, Boolean(message));
  input.setAttribute('aria-invalid', message ? 'true' : 'false');
  if (message) input.setAttribute('aria-describedby', box.id); else input.removeAttribute('aria-describedby');
  return true;
}

function validate() {
  const errors = {};
  const name = $('name').value.trim();
  if (!name) errors.name = 'Please enter your name.';
  else if (name.split(/\s+/).length < 2) errors.name = 'Please enter your first and last name.';
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test($('email').value.trim())) errors.email = 'Please enter a valid email address.';
  if (!state.support) {
    if (!$('company').value.trim()) errors.company = 'Please enter your company name.';
    const website = $('website').value.trim();
    if (website && !isWebsite(website)) errors.website = 'Please enter a valid website address, e.g. https://example.com';
    const digits = $('phone').value.replace(/\D/g, '');
    if (digits.length < 6 || /[^\d\s()+.-]/.test($('phone').value)) errors.phone = 'Please enter a valid phone number.';
    else if ($('phone-ext').value.trim() && !/^\+\d{1,4}$/.test($('phone-ext').value.trim())) errors.phone = 'Please enter the dialling code as + and digits, e.g. +44.';
    if (!$('revenue').value) errors.revenue = 'Please choose your estimated annual revenue.';
    if (!$('currency').value) errors.currency = 'Please choose a currency.';
  }
  for (const field of FIELDS) setError(field, errors[field]);
  const first = FIELDS.find(f => errors[f]);
  if (first) $(first).focus();
  return !first;
}

function tracking() {
  // UTM and BDR parameters on this page's URL win, and are remembered for later pages; else what was remembered.
  const from = (param, key) => {
    const value = params.get(param)?.trim();
    if (value) { store.set(key, value); return value; }
    return store.get(key) || null;
  };
  const bdr = from('bdr', KEYS.bdr);
  return { utm_campaign: from('utm_campaign', KEYS.campaign), utm_source: from('utm_source', KEYS.source), bdr_person_id: bdr && /^\d+$/.test(bdr) ? Number(bdr) : null };
}

function payload() {
  const meeting_dt = state.slot[0].toISOString();
  if (state.support) {
    return { admin_id: adminId, company_id: Number(state.support.companyId), meeting_dt, email: $('email').value.trim(), name: $('name').value.trim() };
  }
  const number = $('phone').value.trim(), ext = $('phone-ext').value.trim();
  const revenue = $('revenue').selectedOptions[0];
  const { utm_campaign, utm_source, bdr_person_id } = tracking();
  return {
    admin_id: adminId, bdr_person_id, utm_campaign, utm_source,
    name: $('name').value.trim(), email: $('email').value.trim(), company_name: $('company').value.trim(),
    website: $('website').value.trim() || null, country: state.country,
    phone: number.startsWith('+') || !ext ? number : `${ext} ${number}`,
    estimated_income: revenue.value, currency: $('currency').value, price_plan: revenue.dataset.plan, meeting_dt,
  };
}

async function submit(event) {
  event.preventDefault();
  show($('form-error'), false);
  if (!validate()) return;
  const button = $('submit');
  const label = button.textContent;
  button.disabled = true;
  button.textContent = 'Booking…';
  const type = state.support ? 'support' : 'sales';
  const body = payload();
  const { ok, status, data, headers } = await call(`/callbooker/${type}/book/`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  button.disabled = false;
  button.textContent = label;

  if (ok && data?.status === 'ok') {
    store.set(KEYS.callData, JSON.stringify({ ...body, call_type: type, timezone: zone }));
    const who = state.rep ? state.rep.name : 'our support team';
    $('callbooked-success').textContent = `Thanks for booking with us! Your call with ${who} is on ${clock.day(state.slot[0])} at ${clock.time(state.slot[0])} ` +
      `(${zone}). We've sent a calendar invite to ${body.email}, with the link to the video call.`;
    // Hermes sends the new meeting's manage link in a header (the answer's body is the one the website always had).
    const manage = headers?.get('Hermes-Manage-Link');
    if (manage) $('manage-link').href = manage;
    show($('manage-note'), Boolean(manage));
    bookingError('');
    show($('low-availability'), false);
    step('done');
    $('step-done').focus();
    return;
  }
  const problems = status === 422 && Array.isArray(data?.detail) ? data.detail : [];
  const lateTime = problems.some(p => p?.loc?.at(-1) === 'meeting_dt');
  if ((status === 400 && data?.message === SLOT_TAKEN) || lateTime) {
    // Someone else took the time (or it passed) while they typed: show the calendar as it is now.
    await loadAvailability();
    renderCalendar();
    bookingError('Sorry, that time is no longer free. Please choose another time: your details are kept.');
    if (state.byDay.has(state.day)) chooseDay(state.day); else step('calendar');
    return;
  }
  const unplaced = [];
  for (const problem of problems) {
    const field = FROM_HERMES[problem?.loc?.at(-1)];
    const message = String(problem?.msg || '').replace(/^Value error, /, '');
    if (!field || !setError(field, message)) unplaced.push(message);
  }
  if (problems.length && !unplaced.length) return;
  const message = unplaced.filter(Boolean).join(' ') || (status === 400 || status === 404 ? data?.message : '') || 'Sorry, something went wrong. Please try again.';
  $('form-error').textContent = message;
  show($('form-error'));
}

async function main() {
  let reps = [];
  try {
    reps = await loadReps();
  } catch (e) {
    fail(`${e.message} Please refresh the page.`);
    return;
  }
  state.reps = reps;
  state.rep = reps.find(r => r.hermes_admin_id === adminId) ?? null;
  const isSupport = state.rep?.role === 'support' || ['s', 'e', 'company_id'].some(k => params.has(k));
  if (!Number.isInteger(adminId) || (!state.rep && !isSupport)) {
    fail("We couldn't find this person's calendar.", { home: true });
    return;
  }
  if (isSupport) {
    state.support = await supportLink();
    if (!state.support) return;
  } else {
    state.country = await countryCode();
  }

  document.title = state.rep ? `Book a call with ${state.rep.name} · TutorCruncher` : 'Book a support call · TutorCruncher';
  $('title').textContent = state.rep ? `Meet with ${state.rep.name} from TutorCruncher` : 'Book a support call with TutorCruncher';
  $('rep-description').textContent = state.rep?.description || '';
  avatar($('avatar'), state.rep);
  prepareForm();
  zonePicker({ name: $('timezone'), button: $('change-zone'), panel: $('zone-picker'), search: $('zone-search'), list: $('zone-list') }, zone, chosen => {
    // Days and times are drawn again in the chosen zone (a day in one zone is not a day in another).
    zone = chosen;
    clock = inZone(zone);
    state.day = null;
    group();
    lowAvailability();
    renderCalendar();
    step('calendar');
  });

  await loadAvailability();
  renderCalendar();
  $('prev-month').addEventListener('click', () => { state.view.month = nextMonth(state.view.month, -1); renderCalendar(); });
  $('next-month').addEventListener('click', () => { state.view.month = nextMonth(state.view.month, 1); renderCalendar(); });
  for (const back of document.querySelectorAll('[data-back]')) back.addEventListener('click', () => {
    if (back.dataset.back === 'times' && state.day) chooseDay(state.day);
    else { renderCalendar(); step('calendar'); }
  });
  $('step-form').addEventListener('submit', submit);
  show($('loading'), false);
  show($('booker'));
  step('calendar');
}

main();
