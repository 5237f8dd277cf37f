// What the sales index and the per-rep booker share: where Hermes is, the reps file, the visitor's country and
// currency, the revenue brackets, and the localStorage keys the website has always used.
import { mainCurrency } from './countries.js';

/** Hermes's origin; empty means the origin that served this page. */
export const HERMES = (document.querySelector('meta[name="hermes-base-url"]')?.content || '').replace(/\/+$/, '');
/** Where the booker pages live (the website hosts them at the same path). */
export const PAGES = '/book-a-call';

export const KEYS = {
  country: '_country_code', // the visitor's ISO country, from Hermes /loc/
  callData: 'call_data',     // the last successful booking, exactly as sent to Hermes (plus call_type), and the chosen timezone
  source: '_tc_source',
  campaign: '_tc_campaign',
  bdr: '_bdr_person_id',
};

/** localStorage that never throws (private windows and blocked storage just forget). */
export const store = {
  get(key) { try { return localStorage.getItem(key); } catch { return null; } },
  set(key, value) { try { localStorage.setItem(key, value); } catch { /* storage unavailable */ } },
  json(key) { try { return JSON.parse(store.get(key) ?? 'null'); } catch { return null; } },
};

/** fetch that answers { ok, status, data, headers } and never throws; data is the parsed JSON body or null. */
export async function call(path, options = {}) {
  try {
    const response = await fetch(HERMES + path, { ...options, headers: { Accept: 'application/json', ...(options.headers || {}) } });
    let data = null;
    try { data = await response.json(); } catch { /* not JSON */ }
    return { ok: response.ok, status: response.status, data, headers: response.headers };
  } catch {
    return { ok: false, status: 0, data: null, headers: null };
  }
}

/** The reps file: { reps: [{ hermes_admin_id, role: "sales"|"support", name, description, picture, alt_hermes_admin_id }] }. */
export async function loadReps() {
  const { ok, data } = await call(`${PAGES}/reps.json`);
  if (!ok || !Array.isArray(data?.reps)) throw new Error('The list of our team could not be loaded.');
  return data.reps;
}

/** The visitor's country: cached, else Hermes /loc/ (Cloudflare's CF-IPCountry), else GB (uncached, so it is asked again). */
export async function countryCode() {
  const cached = store.get(KEYS.country);
  if (cached && /^[A-Za-z]{2}$/.test(cached)) return cached.toUpperCase();
  const { ok, data } = await call('/loc/');
  const code = ok && typeof data?.country_code === 'string' ? data.country_code.trim().toUpperCase() : '';
  if (/^[A-Z]{2}$/.test(code)) { store.set(KEYS.country, code); return code; }
  return 'GB';
}

/**
 * Revenue brackets per currency: [price plan, label]. The plan decides the round robin and the deal's pipeline; the
 * label is what Hermes stores as estimated_income. Every currency has the same six steps, so an index (rb) means the
 * same answer whatever the currency.
 */
export const CURRENCIES = {
  AUD: { label: 'AUD ($)', brackets: b('$', ['0', '70,000', '200,000', '700,000', '1,500,000', '4,000,000']) },
  CAD: { label: 'CAD ($)', brackets: b('$', ['0', '70,000', '200,000', '700,000', '1,500,000', '4,000,000']) },
  GBP: { label: 'GBP (£)', brackets: b('£', ['0', '50,000', '150,000', '500,000', '1,000,000', '3,000,000']) },
  EUR: { label: 'EUR (€)', brackets: b('€', ['0', '60,000', '175,000', '600,000', '1,200,000', '3,500,000']) },
  USD: { label: 'USD ($)', brackets: b('$', ['0', '50,000', '150,000', '500,000', '1,000,000', '3,000,000']) },
  ZAR: { label: 'ZAR (R)', brackets: b('R', ['0', '1,000,000', '2,500,000', '10,000,000', '20,000,000', '50,000,000']) },
};

function b(symbol, steps) {
  const plans = ['payg', 'startup', 'startup', 'enterprise', 'enterprise', 'enterprise'];
  return steps.map((from, i) => [plans[i], i + 1 < steps.length ? `${symbol}${from} - ${symbol}${steps[i + 1]}` : `${symbol}${from}+`]);
}

/** The country's main currency when we have brackets for it, else USD. */
export function currencyFor(country) {
  const currency = mainCurrency(country);
  return currency && CURRENCIES[currency] ? currency : 'USD';
}

/** The query parameters that follow the visitor from page to page: tracking (UTM) and the BDR who sent them. */
export const CARRIED = ['utm_source', 'utm_campaign', 'bdr'];

export function carried(search = location.search) {
  const from = new URLSearchParams(search);
  const to = new URLSearchParams();
  for (const key of CARRIED) if (from.get(key)) to.set(key, from.get(key));
  return to;
}

/** A URL of the booker for an admin, with the given parameters and the carried ones. */
export function bookerUrl(adminId, params = {}) {
  const query = carried();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  const text = query.toString();
  return `${PAGES}/${encodeURIComponent(adminId)}/${text ? '?' + text : ''}`;
}

/** A rep's picture, or their initials when the reps file has none. */
export function avatar(element, rep) {
  element.replaceChildren();
  if (rep?.picture) {
    const img = document.createElement('img');
    img.src = rep.picture;
    img.alt = '';
    img.width = 80; img.height = 80;
    element.append(img);
  } else {
    element.textContent = (rep?.name || 'TutorCruncher').split(/\s+/).filter(Boolean).slice(0, 2).map(w => w[0].toUpperCase()).join('');
  }
}

export function show(element, visible = true) { element.hidden = !visible; }
