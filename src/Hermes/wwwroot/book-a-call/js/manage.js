// The manage page (/book-a-call/manage/{meeting_id}/?s=…), reached from the link in the calendar invitation or on the
// booker's success screen: who and when (in the visitor's time zone, or one they choose), then Reschedule (the same
// admin's free times) or Cancel (with an optional reason). Every call to Hermes carries the link's signature.
import { avatar, bookerUrl, call, show } from './common.js';
import { byDay, months, nextMonth, renderMonth, renderTimes } from './calendar.js';
import { inZone, rememberedZone, zonePicker } from './zones.js';

const $ = id => document.getElementById(id);
const meetingId = Number(location.pathname.split('/').filter(Boolean).pop());
let signature = new URLSearchParams(location.search).get('s') || '';
let zone = rememberedZone();
let clock = inZone(zone);

const NOTICE_MINUTES = 120; // as the booker: a new time at least 2 hours ahead
const NOT_FREE = ['Admin is not free at this time.', 'You already have a meeting booked around this time.'];
const STEPS = ['summary', 'calendar', 'times', 'confirm', 'cancel', 'done'];

const state = { meeting: null, slots: [], byDay: new Map(), range: null, view: null, day: null, slot: null };

const api = (suffix = '', options = {}) => call(`/callbooker/meetings/${meetingId}/${suffix}?s=${encodeURIComponent(signature)}`, options);
const post = (suffix, body) => api(suffix, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const when = meeting => [new Date(meeting.start_dt), new Date(meeting.end_dt ?? meeting.start_dt)];

function fail(message) {
  show($('loading'), false);
  show($('manage'), false);
  show($('problem-title'));
  $('error').textContent = message;
  show($('error'));
}

function step(name) {
  for (const s of STEPS) show($(`step-${s}`), s === name);
  error('');
}

function error(message) {
  $('manage-error').textContent = message;
  show($('manage-error'), Boolean(message));
}

/** Reads the meeting; after a move, takes the link for its new time (the old one expires at the old time). */
async function load() {
  const { ok, status, data } = await api();
  if (ok && data?.status === 'ok') {
    state.meeting = data.meeting;
    const fresh = data.meeting.manage_url && new URL(data.meeting.manage_url, location.href).searchParams.get('s');
    if (fresh && fresh !== signature) {
      signature = fresh;
      history.replaceState(null, '', `${location.pathname}?s=${encodeURIComponent(fresh)}`);
    }
    return true;
  }
  if (status === 403 && data?.message === 'Link has expired') fail('This link has expired: your call has been moved since. Please use the link in your latest calendar invitation.');
  else if (status === 403 || status === 422) fail('This link is not valid. Please use the link in your calendar invitation.');
  else fail("We couldn't load your call just now. Please refresh the page in a minute.");
  return false;
}

function summary() {
  const m = state.meeting;
  const [start, end] = when(m);
  $('when').textContent = `${clock.day(start)}, ${clock.span([start, end])}`;
  const message = $('state-message');
  const bookAgain = m.meeting_type === 'sales' && m.status === 'CANCELED';
  message.replaceChildren(m.message || '');
  if (bookAgain) {
    const link = document.createElement('a');
    link.href = bookerUrl(m.admin_id);
    link.textContent = 'Book a new call';
    message.replaceChildren('This call was cancelled. ', link, '.');
  }
  show(message, Boolean(m.message) || bookAgain);
  show($('actions'), m.can_change === true);
  step('summary');
}

async function loadAvailability() {
  const start = new Date(Date.now() + NOTICE_MINUTES * 60_000);
  const end = new Date(start);
  end.setMonth(end.getMonth() + 1);
  const query = new URLSearchParams({ admin_id: String(state.meeting.admin_id), start_dt: start.toISOString(), end_dt: end.toISOString() });
  const { ok, data } = await call(`/callbooker/availability/?${query}`);
  if (!ok || !Array.isArray(data?.slots)) {
    error("We couldn't load the free times just now. Please try again in a minute.");
    state.slots = [];
  } else {
    const current = new Date(state.meeting.start_dt).getTime();
    state.slots = data.slots.map(([a, b]) => [new Date(a), new Date(b)]).filter(([a]) => a >= start && a.getTime() !== current).sort((x, y) => x[0] - y[0]);
  }
  state.range = [start, end];
  group();
  show($('no-slots'), state.slots.length === 0);
}

function group() {
  if (!state.range) return;
  state.byDay = byDay(state.slots, clock);
  state.view = months(clock, state.range[0], state.range[1], state.slots, state.view?.month);
}

function renderCalendar() {
  renderMonth({ month: $('month'), prev: $('prev-month'), next: $('next-month'), body: $('calendar').tBodies[0] },
    state.view, clock, state.byDay, state.day, chooseDay);
}

function chooseDay(key) {
  state.day = key;
  $('day-heading').textContent = renderTimes($('times'), state.byDay.get(key) ?? [], clock, chooseTime);
  step('times');
  $('times').querySelector('button')?.focus();
}

function chooseTime(slot) {
  state.slot = slot;
  $('confirm-text').textContent = `Your call with ${state.meeting.admin_name} will move to ${clock.day(slot[0])}, ${clock.span(slot)} (${zone}). ` +
    'Everyone invited gets the updated invitation; the video call link stays the same.';
  step('confirm');
  $('confirm-move').focus();
}

async function reschedule() {
  $('reschedule').disabled = true;
  await loadAvailability();
  $('reschedule').disabled = false;
  state.day = null;
  renderCalendar();
  const message = $('manage-error').textContent;
  step('calendar');
  error(message);
}

async function busy(button, label, work) {
  const text = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try { return await work(); } finally { button.disabled = false; button.textContent = text; }
}

async function confirmMove() {
  const { ok, status, data } = await busy($('confirm-move'), 'Moving…', () => post('reschedule/', { meeting_dt: state.slot[0].toISOString() }));
  if (ok && data?.status === 'ok') {
    if (!await load()) return;
    const [start] = when(state.meeting);
    done('Your call is moved', `Your call with ${state.meeting.admin_name} is now on ${clock.day(start)} at ${clock.time(start)} (${zone}). ` +
      "We've sent the updated invitation; the video call link is the same.");
    return;
  }
  const problems = status === 422 && Array.isArray(data?.detail) ? data.detail : [];
  if ((status === 400 && NOT_FREE.includes(data?.message)) || problems.some(p => p?.loc?.at(-1) === 'meeting_dt')) {
    // Taken (or passed) while they chose: show the free times as they are now.
    await loadAvailability();
    renderCalendar();
    if (state.byDay.has(state.day)) chooseDay(state.day); else step('calendar');
    error(status === 400 && data?.message === NOT_FREE[1]
      ? 'You have another call within two hours of that time. Please choose another time.'
      : 'Sorry, that time is no longer free. Please choose another time.');
    return;
  }
  error(status === 400 || status === 403 ? data?.message : 'Sorry, something went wrong and your call was not moved. Please try again.');
}

async function confirmCancel(event) {
  event.preventDefault();
  const reason = $('reason').value.trim();
  const { ok, status, data } = await busy($('confirm-cancel'), 'Cancelling…', () => post('cancel/', { reason: reason || null }));
  if (ok && data?.status === 'ok') {
    const [start] = when(state.meeting);
    await load();
    done('Your call is cancelled', `Your call with ${state.meeting.admin_name} on ${clock.day(start)} at ${clock.time(start)} (${zone}) is cancelled, ` +
      "and we've let them know. Thank you for telling us.");
    if (state.meeting.meeting_type === 'sales') {
      $('book-again').href = bookerUrl(state.meeting.admin_id);
      show($('book-again'));
    }
    return;
  }
  error(status === 400 || status === 403 ? data?.message : 'Sorry, something went wrong and your call was not cancelled. Please try again.');
}

function done(heading, text) {
  $('done-heading').textContent = heading;
  $('done-text').textContent = text;
  show($('book-again'), false);
  step('done');
  $('step-done').focus();
}

async function main() {
  if (!Number.isInteger(meetingId) || !signature) {
    fail('This link is incomplete. Please use the link in your calendar invitation.');
    return;
  }
  if (!await load()) return;
  const m = state.meeting;
  document.title = `Your call with ${m.admin_name} · TutorCruncher`;
  $('title').textContent = `Your call with ${m.admin_name}`;
  $('kind').textContent = m.meeting_type === 'support' ? 'TutorCruncher support call' : 'TutorCruncher demo';
  avatar($('avatar'), { name: m.admin_name });
  zonePicker({ name: $('timezone'), button: $('change-zone'), panel: $('zone-picker'), search: $('zone-search'), list: $('zone-list') }, zone, chosen => {
    zone = chosen;
    clock = inZone(zone);
    state.day = null;
    group();
    summary();
  });
  $('reschedule').addEventListener('click', reschedule);
  $('cancel').addEventListener('click', () => { step('cancel'); $('reason').focus(); });
  $('confirm-move').addEventListener('click', confirmMove);
  $('step-cancel').addEventListener('submit', confirmCancel);
  $('prev-month').addEventListener('click', () => { state.view.month = nextMonth(state.view.month, -1); renderCalendar(); });
  $('next-month').addEventListener('click', () => { state.view.month = nextMonth(state.view.month, 1); renderCalendar(); });
  for (const back of document.querySelectorAll('[data-back]')) back.addEventListener('click', () => {
    const to = back.dataset.back;
    if (to === 'times' && state.day) chooseDay(state.day);
    else if (to === 'calendar') { renderCalendar(); step('calendar'); }
    else summary();
  });
  show($('loading'), false);
  show($('manage'));
  summary();
}

main();
