// The maildlp Roundcube plugin, end to end: Playwright drives Debian's Chromium through
// Roundcube (started by tests/roundcube/run with Dovecot and Postfix on 127.0.0.1), logs in,
// composes and sends; what Postfix delivered is read from the Maildirs.
//
// Environment: RC_URL, MAILDIR (DOMAIN/USER/ Maildirs), LIST_CSV (the clear list, to check
// that no identifier is shown), SCREENSHOTS (a directory).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

const { RC_URL, MAILDIR, LIST_CSV, SCREENSHOTS } = process.env;
const OFFICER = 'sam.reid@police.example';
let passed = 0;
let failed = 0;

function check(what, ok, detail = '') {
  if (ok) {
    passed++;
    console.log(`ok: ${what}`);
  } else {
    failed++;
    console.log(`FAILED: ${what}${detail ? `: ${detail}` : ''}`);
  }
}

// The 18 victims of the incident replica, as its Cc field has them.
const incident = fs.readFileSync(new URL('../../examples/messages/incident-cc.eml', import.meta.url), 'utf8')
  .replace(/\r\n/g, '\n');
const ccField = incident.match(/^Cc:((?:.*\n[ \t].*)*.*)$/m)[1].replace(/\n[ \t]+/g, ' ').trim();
const victims = [...ccField.matchAll(/<([^>]+)>/g)].map((m) => m[1]);
const incidentBody = incident.split(/\n\n/).slice(1).join('\n\n');

// Every identifier of the list (names, addresses, phones) and every record id.
const identifiers = fs.readFileSync(LIST_CSV, 'utf8').split('\n')
  .filter((l) => l && !l.startsWith('#') && !l.startsWith('id,'))
  .map((l) => l.split(','))
  .flatMap(([id, kind, ...value]) => [id, ['name', 'email', 'phone'].includes(kind) ? value.join(',') : null])
  .filter(Boolean);
function shownIdentifiers(text) {
  const lower = text.toLowerCase();
  return identifiers.filter((v) => lower.includes(v.toLowerCase()));
}

// Messages delivered to one mailbox (new/ and cur/, and .Sent for the officer's Sent folder).
function mailbox(address, folder = '') {
  const [user, domain] = address.split('@');
  const dir = path.join(MAILDIR, domain, user, folder);
  const out = [];
  for (const sub of ['new', 'cur']) {
    const d = path.join(dir, sub);
    if (fs.existsSync(d)) {
      for (const f of fs.readdirSync(d)) out.push(fs.readFileSync(path.join(d, f), 'utf8'));
    }
  }
  return out;
}
function allMail() {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\/(new|cur)$/.test(d)) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(MAILDIR);
  return out;
}
function withSubject(messages, subject) {
  return messages.filter((m) => m.includes(`\nSubject: ${subject}\n`) || m.includes(`\nSubject: ${subject}\r\n`));
}
async function waitFor(fn, seconds = 30) {
  for (let i = 0; i < seconds * 5; i++) {
    if (fn()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return fn();
}
function header(message, name) {
  const head = message.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const m = head.match(new RegExp(`^${name}:(.*)$`, 'im'));
  return m ? m[1] : '';
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 820 } });
const shot = (name) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });

try {
  await page.goto(RC_URL);
  await page.fill('#rcmloginuser', OFFICER);
  await page.fill('#rcmloginpwd', 'secret');
  await shot('01-login');
  await page.click('#rcmloginsubmit');
  await page.waitForURL(/_task=mail/);

  async function compose({ to, cc = '', subject, body, attachment = null }) {
    await page.goto(`${RC_URL}?_task=mail&_action=compose`);
    await page.waitForSelector('#compose-subject');
    // To typed as a person types it; Cc pasted as a list.
    const toInput = page.locator('#compose_to ul.recipient-input input');
    await toInput.fill(to);
    await toInput.press(',');
    if (cc) {
      await page.evaluate((list) => {
        $('#compose_cc').removeClass('hidden');
        $('#_cc').val(list).change();
      }, cc);
    }
    await page.fill('#compose-subject', subject);
    await page.fill('#composebody', body);
    if (attachment) {
      await page.setInputFiles('#uploadform input[type=file]', attachment);
      await page.waitForSelector('#attachment-list li:not(.uploading)', { timeout: 20000 });
    }
  }
  async function send() {
    await page.click('#layout-content .formbuttons button.send, button.btn.send');
  }
  async function sent() {
    await page.waitForURL((u) => !u.toString().includes('_action=compose'), { timeout: 30000 });
  }
  async function dialog() {
    const d = page.locator('.maildlp-dialog');
    await d.waitFor({ state: 'visible', timeout: 30000 });
    return d;
  }

  // 1. The incident replica: 18 victims in Cc. Stopped, with the notice and the Bcc button.
  const incidentSubject = 'Update on the investigation';
  await compose({ to: OFFICER, cc: ccField, subject: incidentSubject, body: incidentBody });
  await shot('02-incident-composed');
  await send();
  let d = await dialog();
  let text = await d.innerText();
  await shot('03-incident-blocked');
  await d.screenshot({ path: path.join(SCREENSHOTS, '03-incident-notice.png') }); // docs/roundcube-notice.png
  check('incident: the notice counts 18 protected recipients', text.includes('18 protected recipients can see') && text.includes('18 protected names are in the Cc field'), text);
  check('incident: the notice shows no identifier and no record id', shownIdentifiers(text).length === 0,
    shownIdentifiers(text).join(', '));
  const stack = await page.locator('#messagestack').innerText();
  check('incident: the status line shows no identifier', shownIdentifiers(stack).length === 0, stack);
  check('incident: the Move to Bcc button is offered', await d.locator('.maildlp-bcc').isVisible());
  check('incident: the draft stays (the compose window, its Cc and body)',
    page.url().includes('_action=compose') && (await page.inputValue('#_cc')).includes(victims[0])
      && (await page.inputValue('#composebody')).includes('Crown Court'));
  await new Promise((r) => setTimeout(r, 1500));
  check('incident: nothing delivered while blocked', withSubject(allMail(), incidentSubject).length === 0);

  // 2. Move external recipients to Bcc and send: every victim reached, none visible.
  await d.locator('.maildlp-bcc').click();
  await sent();
  await shot('04-incident-moved-to-bcc-sent');
  const reached = await waitFor(() => victims.every((v) => withSubject(mailbox(v), incidentSubject).length === 1));
  check('Bcc: every victim received the message once', reached,
    victims.filter((v) => withSubject(mailbox(v), incidentSubject).length !== 1).join(', '));
  // Each victim's copy: no other victim's address anywhere, and no identifier in the header
  // but the delivery trace Postfix adds for that victim (Delivered-To, X-Original-To, Received).
  const exposedIn = (v) => {
    const copy = withSubject(mailbox(v), incidentSubject)[0] || '';
    const head = copy.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)
      .filter((l) => !/^(Delivered-To|X-Original-To|Return-Path|Received):/i.test(l)).join('\n');
    return victims.filter((o) => o !== v && copy.includes(o)).concat(shownIdentifiers(head));
  };
  const delivered = withSubject(mailbox(victims[0]), incidentSubject)[0] || '';
  check('Bcc: no victim is visible in any delivered copy', victims.every((v) => exposedIn(v).length === 0),
    victims.map(exposedIn).flat().join(', '));
  check('Bcc: the officer received it in To', withSubject(mailbox(OFFICER), incidentSubject).length === 1);
  check('Bcc: the body arrived untouched', delivered.includes('Victim Support can be reached on 0808 168 9111.'));
  const sentCopy = withSubject(mailbox(OFFICER, '.Sent'), incidentSubject);
  check('Bcc: the Sent copy has the victims in Bcc only', sentCopy.length === 1
    && !header(sentCopy[0], 'Cc').includes('@') && header(sentCopy[0], 'Bcc').includes(victims[0]));

  // 3. A clean body with an attachment naming a victim: stopped, no Bcc button.
  const witnessSubject = 'Witness list for the hearing';
  await compose({
    to: 'desk@press.example', subject: witnessSubject, body: 'Please find the list attached.\n',
    attachment: { name: 'witness.txt', mimeType: 'text/plain', buffer: Buffer.from('Witnesses:\nJane Doe, Flat 2\nRavi Patel\n') },
  });
  await send();
  d = await dialog();
  text = await d.innerText();
  await shot('05-attachment-blocked');
  check('attachment: the notice names the attachment', text.includes('witness.txt') && text.includes('protected names are in the attachment'), text);
  check('attachment: the notice shows no identifier', shownIdentifiers(text).length === 0, shownIdentifiers(text).join(', '));
  check('attachment: no Move to Bcc button', (await d.locator('.maildlp-bcc').count()) === 0);
  await d.locator('.maildlp-close').click();

  // 4. A warning (13 outsiders, nobody protected): asks, then sends on confirmation.
  const warnSubject = 'Press release';
  const press = Array.from({ length: 13 }, (_, i) => `p${i + 1}@press.example`);
  await compose({ to: press[0], cc: press.slice(1).join(', '), subject: warnSubject, body: 'Our statement.\n' });
  await send();
  d = await dialog();
  text = await d.innerText();
  await shot('06-warning');
  check('warning: the notice counts the visible recipients', text.includes('13 external recipients can see'), text);
  await new Promise((r) => setTimeout(r, 1000));
  check('warning: nothing sent before the confirmation', withSubject(allMail(), warnSubject).length === 0);
  await d.locator('.maildlp-sendanyway').click();
  await sent();
  check('warning: sent on confirmation', await waitFor(() => press.every((p) => withSubject(mailbox(p), warnSubject).length === 1)));

  // 4b. Moved to Bcc, then a warning (an encrypted block nobody can read): the confirmation
  // sends the moved message.
  const pgpSubject = 'Encrypted statement';
  const two = victims.slice(0, 2);
  await compose({
    to: OFFICER, cc: two.join(', '), subject: pgpSubject,
    body: 'See below.\n-----BEGIN PGP MESSAGE-----\n\nhQEMA1234567890ABAQf/abcdefghijklmnopqrstuvwxyz0123456789\n=abcd\n-----END PGP MESSAGE-----\n',
  });
  await send();
  d = await dialog();
  await d.locator('.maildlp-bcc').click();
  await page.waitForFunction(() => document.querySelectorAll('.maildlp-dialog').length > 0
    && [...document.querySelectorAll('.maildlp-dialog')].some((e) => e.offsetParent !== null && e.querySelector('.maildlp-sendanyway')));
  d = page.locator('.maildlp-dialog:visible');
  text = await d.innerText();
  await shot('06b-moved-then-warning');
  check('moved then warned: the warning says what could not be checked', text.includes('could not be checked'), text);
  await d.locator('.maildlp-sendanyway').click();
  await sent();
  check('moved then warned: both victims reached, neither visible', await waitFor(() => two.every((v) => {
    const copy = withSubject(mailbox(v), pgpSubject);
    return copy.length === 1 && !header(copy[0], 'Cc').includes('@') && !header(copy[0], 'To').includes('example.');
  })));

  // 5. An ordinary message: nothing shown, arrives untouched.
  const plainSubject = 'Opening hours';
  await compose({ to: 'desk@press.example', subject: plainSubject, body: 'The front desk opens at nine on Saturdays.\n' });
  await send();
  await sent();
  await shot('07-ordinary-sent');
  check('ordinary: delivered', await waitFor(() => withSubject(mailbox('desk@press.example'), plainSubject).length === 1));
  const ordinary = withSubject(mailbox('desk@press.example'), plainSubject)[0] || '';
  check('ordinary: untouched (To, body)', header(ordinary, 'To').includes('desk@press.example')
    && ordinary.includes('The front desk opens at nine on Saturdays.'));

  // Nothing of the stopped message anywhere: no mailbox, no Sent folder.
  check('the stopped message reached no mailbox and no Sent folder', withSubject(allMail(), witnessSubject).length === 0);

  // 6. In Welsh: the officer chooses Cymraeg in Settings; the warning and its button follow.
  await page.goto(`${RC_URL}?_task=settings&_action=edit-prefs&_section=general&_framed=1`);
  await page.selectOption('select[name=_language]', 'cy_GB');
  await Promise.all([page.waitForNavigation(), page.evaluate(() => rcmail.command('save'))]);
  await compose({ to: press[0], cc: press.slice(1).join(', '), subject: 'Datganiad', body: 'Ein datganiad.\n' });
  await send();
  d = await dialog();
  text = await d.innerText();
  await shot('08-warning-welsh');
  check('Welsh: the warning is in Welsh', text.includes('Gall 13 derbynnydd allanol weld') && text.includes('Anfon beth bynnag'), text);
  await d.locator('.maildlp-close').click();

  // 7. Fail safe: the list cannot be read; sending is refused with a notice, nothing leaves.
  fs.appendFileSync(process.env.RC_PLUGIN_CONFIG, "$config['maildlp_list'] = '/nonexistent/protected.sealed';\n");
  const failSubject = 'Rota for next week';
  await compose({ to: 'desk@press.example', subject: failSubject, body: 'The rota is unchanged.\n' });
  await send();
  await page.locator('#messagestack .error').waitFor({ state: 'visible', timeout: 30000 });
  const refusal = await page.locator('#messagestack').innerText();
  await shot('09-unavailable-refused');
  check('fail safe: sending is refused with a notice', page.url().includes('_action=compose') && refusal.length > 10, refusal);
  await new Promise((r) => setTimeout(r, 1500));
  check('fail safe: nothing delivered', withSubject(allMail(), failSubject).length === 0);
} catch (e) {
  failed++;
  console.log(`FAILED: ${e.stack || e}`);
  await shot('99-failure').catch(() => {});
} finally {
  await browser.close();
}
console.log(`roundcube: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
