// The sales index (/book-a-call/): our sales team, and a "Book a call" button that asks whether the visitor has
// booked with us before. No / Not sure → their revenue bracket → Hermes's round robin picks the rep. Yes → they pick
// the rep. A visitor who booked a sales call before goes straight back to that rep, with their details filled in.
import { CURRENCIES, KEYS, avatar, bookerUrl, call, countryCode, currencyFor, loadReps, show, store } from './common.js';

const $ = id => document.getElementById(id);

/** Where a visitor who booked a sales call before goes back to: that rep's booker, while the rep is still listed. */
function returningVisitor(reps) {
  const last = store.json(KEYS.callData);
  if (!last || last.call_type !== 'sales' || !reps.some(r => r.hermes_admin_id === Number(last.admin_id))) return null;
  const brackets = CURRENCIES[last.currency]?.brackets ?? [];
  let rb = brackets.findIndex(([, label]) => label === String(last.estimated_income ?? ''));
  if (rb < 0) rb = brackets.findIndex(([plan]) => plan === last.price_plan);
  return bookerUrl(last.admin_id, {
    name: last.name, email: last.email, company: last.company_name, website: last.website, phone: last.phone,
    currency: CURRENCIES[last.currency] ? last.currency : undefined, rb: rb >= 0 ? rb : undefined,
  });
}

async function main() {
  let reps;
  try {
    reps = (await loadReps()).filter(r => r.role === 'sales');
  } catch (e) {
    show($('loading'), false);
    $('error').textContent = `${e.message} Please refresh the page, or email us at hello@tutorcruncher.com.`;
    show($('error'));
    return;
  }
  const back = returningVisitor(reps);
  if (back) { location.replace(back); return; }
  const country = countryCode(); // asked now, needed once they answer

  const list = $('reps');
  for (const rep of reps) {
    const item = document.createElement('li');
    item.className = 'rep';
    const picture = document.createElement('span');
    picture.className = 'avatar';
    avatar(picture, rep);
    const name = document.createElement('h3');
    name.textContent = rep.name;
    const description = document.createElement('p');
    description.textContent = rep.description || '';
    item.append(picture, name, description);
    list.append(item);
  }
  show($('loading'), false);
  show($('team'));

  const dialog = $('booked-before');
  const steps = ['step-question', 'step-revenue', 'step-rep'];
  const step = id => { for (const s of steps) show($(s), s === id); };

  $('cta').addEventListener('click', () => {
    step('step-question');
    dialog.showModal();
    $('answer-yes').focus();
  });
  $('close').addEventListener('click', () => dialog.close());
  for (const button of dialog.querySelectorAll('[data-back]')) button.addEventListener('click', () => { step('step-question'); $('answer-yes').focus(); });

  // Yes: they choose who they spoke to, and book with that rep (no revenue question, so no bracket to carry).
  const choices = $('rep-choices');
  for (const rep of reps) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn';
    button.textContent = rep.name;
    button.addEventListener('click', () => location.assign(bookerUrl(rep.hermes_admin_id)));
    choices.append(button);
  }
  $('answer-yes').addEventListener('click', () => { step('step-rep'); choices.querySelector('button')?.focus(); });

  // No / Not sure: the revenue bracket, in the visitor's currency, decides the plan and so who they talk to.
  const revenue = $('revenue');
  const askRevenue = async () => {
    const currency = currencyFor(await country);
    revenue.replaceChildren(new Option('Please select', '', true, true));
    revenue.options[0].disabled = true;
    CURRENCIES[currency].brackets.forEach(([plan, label], i) => { const o = new Option(label, String(i)); o.dataset.plan = plan; revenue.add(o); });
    revenue.dataset.currency = currency;
    $('currency-note').textContent = `Amounts in ${CURRENCIES[currency].label}`;
    $('go').disabled = true;
    step('step-revenue');
    revenue.focus();
  };
  $('answer-no').addEventListener('click', askRevenue);
  $('answer-not-sure').addEventListener('click', askRevenue);
  revenue.addEventListener('change', () => { $('go').disabled = revenue.value === ''; });

  $('step-revenue').addEventListener('submit', async event => {
    event.preventDefault();
    if (revenue.value === '') return;
    const go = $('go');
    go.disabled = true;
    go.textContent = 'Finding your expert…';
    const rb = Number(revenue.value);
    const plan = revenue.selectedOptions[0].dataset.plan;
    const query = new URLSearchParams({ plan, country_code: await country });
    const { ok, data } = await call(`/choose-roundrobin/sales/?${query}`);
    // If Hermes can't choose, anyone on the team is better than an error page.
    const adminId = ok && Number.isInteger(data?.id) ? data.id : reps[0]?.hermes_admin_id;
    location.assign(bookerUrl(adminId, { rb }));
  });
}

main();
