//! The report as one self-contained HTML page: inline CSS, the chart as inline SVG drawn here
//! (it shows without script), and a small inline script that sorts the message table when a
//! column header is clicked. Nothing is loaded from anywhere. Every piece of text from the
//! input is escaped.

use std::fmt::Write as _;

use maildlp::Verdict;

use super::{Audit, Counts, Message};

/// Rows of the records, senders and domains tables.
pub const TOP: usize = 25;

/// Months the chart draws at most: the latest ones.
pub const MAX_MONTHS: usize = 120;

/// `s` as HTML text or attribute value.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `1 message`, `2 messages`, `18,714 messages`.
fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", num(n), if n == 1 { one } else { many })
}

/// `18714` → `18,714`.
fn num(n: u64) -> String {
    crate::output::thousands(usize::try_from(n).unwrap_or(usize::MAX))
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1f24;margin:0 auto;max-width:1200px;padding:0 16px 40px}
h1{font-size:1.6em;margin:.8em 0 .2em}h2{font-size:1.2em;margin:1.6em 0 .4em;border-bottom:1px solid #d0d7de}
.note{color:#57606a}.totals{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.total{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:110px}
.total strong{display:block;font-size:1.7em}.block strong,.v-block{color:#b42318}.warn strong,.v-warn{color:#9a6700}
table{border-collapse:collapse;margin:6px 0;font-size:.93em}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n,th.n{text-align:right}.cols{display:flex;flex-wrap:wrap;gap:32px}
#messages th[data-key]{cursor:pointer;user-select:none}#messages th[aria-sort=ascending]::after{content:' \\25B2'}
#messages th[aria-sort=descending]::after{content:' \\25BC'}#messages ul{margin:0;padding-left:1.1em}
#messages td{max-width:380px;overflow-wrap:anywhere}#messages td:nth-child(2){white-space:nowrap}
#messages td:last-child{min-width:340px;max-width:520px}svg text{font:11px system-ui,sans-serif;fill:#57606a}
.bar-b{fill:#b42318}.bar-w{fill:#e3a008}.grid{stroke:#eaeef2}
";

/// Sorts `#messages` when a header with `data-key` is clicked (again: the other way). The
/// fragment `#sort=KEY` clicks that header once on load, `#sort=-KEY` twice (descending), so a
/// link can open the table sorted.
const SCRIPT: &str = "
(function(){var t=document.getElementById('messages');if(!t||!t.tHead)return;
var hs=t.tHead.rows[0].cells,b=t.tBodies[0];
function val(r,i,n){var c=r.cells[i],v=c.getAttribute('data-v');if(v===null)v=c.textContent;return n?parseFloat(v)||0:v.toLowerCase();}
function sort(i,desc){var n=hs[i].hasAttribute('data-num'),rows=Array.prototype.slice.call(b.rows);
rows.sort(function(x,y){var a=val(x,i,n),c=val(y,i,n),r=a<c?-1:a>c?1:0;if(desc)r=-r;
return r||(+x.getAttribute('data-i'))-(+y.getAttribute('data-i'));});
rows.forEach(function(r){b.appendChild(r);});
for(var j=0;j<hs.length;j++)hs[j].removeAttribute('aria-sort');
hs[i].setAttribute('aria-sort',desc?'descending':'ascending');}
Array.prototype.forEach.call(hs,function(h,i){if(!h.hasAttribute('data-key'))return;h.tabIndex=0;
h.addEventListener('click',function(){sort(i,h.getAttribute('aria-sort')==='ascending');});
h.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();h.click();}});});
var m=/^#sort=(-?)([a-z]+)$/.exec(location.hash);
if(m)Array.prototype.forEach.call(hs,function(h){if(h.getAttribute('data-key')===m[2]){h.click();if(m[1])h.click();}});
})();
";

/// The whole page. `input` names what was read.
pub fn render(a: &Audit, title: &str, input: &str) -> String {
    let mut h = String::with_capacity(16 * 1024 + a.rows.len() * 600);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
         <title>{t}</title><style>{STYLE}</style></head><body>\n<h1>{t}</h1>\n\
         <p class=\"note\">Read from <code>{i}</code>: {lines} lines. Records are named by id only; \
         excerpts, subjects and protected senders are masked as maildlp masks them.</p>\n",
        t = esc(title),
        i = esc(input),
        lines = num(a.lines),
    );
    if a.spark_rows && !a.details {
        h.push_str(
            "<p class=\"note\">These rows of the Spark audit carry no date, sender, subject or \
             recipient domain (an audit written before it had those columns): those parts of the \
             report are empty for them.</p>\n",
        );
    } else if !a.details && a.totals.messages > 0 {
        h.push_str(
            "<p class=\"note\">The input has no dates, senders, subjects or recipient domains: \
             <code>maildlp scan --format json --details</code> adds them.</p>\n",
        );
    }
    totals(&mut h, a);
    chart(&mut h, a);
    records(&mut h, a);
    h.push_str("<div class=\"cols\">");
    parties(&mut h, "senders", "Senders", "Sender", &a.senders);
    parties(&mut h, "domains", "Recipient domains", "Domain (outside)", &a.domains);
    h.push_str("</div>\n");
    rules(&mut h, a);
    messages(&mut h, a);
    let _ = write!(
        h,
        "<p class=\"note\">Written by maildlp {}.</p>\n<script>{SCRIPT}</script>\n</body></html>\n",
        env!("CARGO_PKG_VERSION")
    );
    h
}

fn totals(h: &mut String, a: &Audit) {
    let t = &a.totals;
    h.push_str("<h2 id=\"totals\">Totals</h2>\n<div class=\"totals\">");
    for (id, class, label, n) in [
        ("total-messages", "", "messages", t.messages),
        ("total-blocked", "block", "blocked", t.blocked),
        ("total-warned", "warn", "warned", t.warned),
        ("total-allowed", "", "allowed", t.allowed()),
        ("total-findings", "", "findings", a.findings),
        ("total-records", "", "records exposed", a.records.len() as u64),
    ] {
        let _ = write!(
            h,
            "<div class=\"total {class}\"><strong id=\"{id}\" data-n=\"{n}\">{}</strong>{label}</div>",
            num(n)
        );
    }
    h.push_str("</div>\n");
}

/// `YYYY-MM` → (year, month).
fn ym(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.split_once('-')?;
    Some((y.parse().ok()?, m.get(..2)?.parse().ok()?))
}

/// Every month from `first` to `last`, both included.
fn month_range(first: (i32, u32), last: (i32, u32)) -> Vec<(i32, u32)> {
    let mut out = Vec::new();
    let mut cur = first;
    while cur <= last {
        out.push(cur);
        cur = if cur.1 == 12 { (cur.0 + 1, 1) } else { (cur.0, cur.1 + 1) };
    }
    out
}

/// The least of 1, 2, 5 × 10^k at or above `n`.
fn nice_ceiling(n: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= n {
                return step.saturating_mul(m);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// Messages blocked and warned by month, as stacked bars.
fn chart(h: &mut String, a: &Audit) {
    h.push_str("<h2 id=\"months\">Exposures by month</h2>\n");
    let (Some(first), Some(last)) =
        (a.months.keys().next().and_then(|k| ym(k)), a.months.keys().next_back().and_then(|k| ym(k)))
    else {
        let _ = writeln!(
            h,
            "<p class=\"note\" id=\"chart-none\">No message has a date{}.</p>",
            if a.totals.messages > 0 { " (scan with --details to read them)" } else { "" }
        );
        return;
    };
    let mut months = month_range(first, last);
    let mut before = Counts::default();
    if months.len() > MAX_MONTHS {
        let cut = months.len() - MAX_MONTHS;
        for &(y, m) in &months[..cut] {
            if let Some(c) = a.months.get(&format!("{y:04}-{m:02}")) {
                before.messages += c.messages;
                before.blocked += c.blocked;
                before.warned += c.warned;
            }
        }
        months.drain(..cut);
    }
    let counts: Vec<(String, Counts)> = months
        .iter()
        .map(|&(y, m)| {
            let k = format!("{y:04}-{m:02}");
            let c = a.months.get(&k).copied().unwrap_or_default();
            (k, c)
        })
        .collect();
    let top = nice_ceiling(counts.iter().map(|(_, c)| c.exposed()).max().unwrap_or(0).max(1));
    let (w, ht, left, right, top_m, bottom) = (960.0, 260.0, 52.0, 8.0, 14.0, 34.0);
    let plot_w = w - left - right;
    let plot_h = ht - top_m - bottom;
    let bw = plot_w / counts.len() as f64;
    let y_of = |n: u64| top_m + plot_h - plot_h * n as f64 / top as f64;
    let exposed: u64 = counts.iter().map(|(_, c)| c.exposed()).sum();
    let _ = write!(
        h,
        "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {ht}\" width=\"100%\" \
         style=\"max-width:{w}px\" role=\"img\" aria-label=\"Messages blocked and warned by month, {} to {}: {} in all\">",
        counts[0].0,
        counts[counts.len() - 1].0,
        num(exposed)
    );
    // Grid lines at round numbers: 1, 2 or 5 × 10^k is cut in that many steps up to 5, past it
    // in 5, 4 and 5 (10: 2, 4, ...; 20: 5, 10, ...; 50: 10, 20, ...).
    let steps = if top <= 5 {
        top
    } else if top.to_string().starts_with('2') {
        4
    } else {
        5
    };
    for i in 0..=steps {
        let v = top * i / steps;
        let y = y_of(v);
        let _ = write!(
            h,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - right,
            left - 6.0,
            y + 4.0,
            num(v)
        );
    }
    let label_every = counts.len().div_ceil(12);
    for (i, (k, c)) in counts.iter().enumerate() {
        let x = left + bw * i as f64;
        let bar = (bw * 0.8).max(1.0);
        let x0 = x + (bw - bar) / 2.0;
        let yb = y_of(c.blocked);
        let yw = y_of(c.exposed());
        let _ = write!(
            h,
            "<g class=\"month\" data-month=\"{k}\" data-blocked=\"{}\" data-warned=\"{}\">\
             <title>{k}: {} blocked, {} warned, {} messages</title>\
             <rect class=\"bar-b\" x=\"{x0:.1}\" y=\"{yb:.1}\" width=\"{bar:.1}\" height=\"{:.1}\"/>\
             <rect class=\"bar-w\" x=\"{x0:.1}\" y=\"{yw:.1}\" width=\"{bar:.1}\" height=\"{:.1}\"/>",
            c.blocked,
            c.warned,
            num(c.blocked),
            num(c.warned),
            num(c.messages),
            top_m + plot_h - yb,
            yb - yw,
        );
        if c.exposed() > 0 && counts.len() <= 36 {
            let _ = write!(
                h,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + bw / 2.0,
                yw - 3.0,
                num(c.exposed())
            );
        }
        h.push_str("</g>");
        if i % label_every == 0 {
            let _ = write!(
                h,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{k}</text>",
                x + bw / 2.0,
                ht - bottom + 16.0
            );
        }
    }
    h.push_str("</svg>\n<p class=\"note\"><svg width=\"10\" height=\"10\"><rect class=\"bar-b\" width=\"10\" height=\"10\"/></svg> blocked \
                <svg width=\"10\" height=\"10\"><rect class=\"bar-w\" width=\"10\" height=\"10\"/></svg> warned, messages by the month of their Date header (UTC).");
    if before.messages > 0 {
        let _ = write!(
            h,
            " {} ({} blocked, {} warned) are before the {MAX_MONTHS} months drawn.",
            count(before.messages, "earlier message", "earlier messages"),
            num(before.blocked),
            num(before.warned)
        );
    }
    if a.undated.messages > 0 {
        let _ = write!(
            h,
            " <span id=\"undated\">Messages with no date, not drawn: {} ({} blocked, {} warned).</span>",
            num(a.undated.messages),
            num(a.undated.blocked),
            num(a.undated.warned)
        );
    }
    h.push_str("</p>\n");
}

fn records(h: &mut String, a: &Audit) {
    let _ = writeln!(h, "<h2 id=\"records\">Records most exposed</h2>");
    if a.records.is_empty() {
        h.push_str("<p class=\"note\">No protected record was exposed.</p>\n");
    } else {
        let mut rs: Vec<_> = a.records.iter().collect();
        rs.sort_by(|x, y| {
            y.1.messages.cmp(&x.1.messages).then(y.1.findings.cmp(&x.1.findings)).then(x.0.cmp(y.0))
        });
        let _ = write!(
            h,
            "<p class=\"note\">{} named in findings; the {} in most messages:</p>\n<table id=\"records-table\">\
             <thead><tr><th>Record</th><th class=\"n\">Messages</th><th class=\"n\">Findings</th><th>Rules</th>\
             <th>First month</th><th>Last month</th></tr></thead><tbody>",
            count(rs.len() as u64, "record", "records"),
            rs.len().min(TOP)
        );
        for (id, r) in rs.iter().take(TOP) {
            let rules: Vec<_> = r.rules.iter().map(|s| esc(s)).collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(id),
                num(r.messages),
                num(r.findings),
                rules.join(", "),
                r.first.as_deref().map(esc).unwrap_or_default(),
                r.last.as_deref().map(esc).unwrap_or_default(),
            );
        }
        h.push_str("</tbody></table>\n");
    }
    if a.unlisted_findings > 0 {
        let _ = writeln!(
            h,
            "<p class=\"note\">{} further findings were past a message's <code>max_reported_findings</code>: \
             counted in the totals and rules, not attributed to records.</p>",
            num(a.unlisted_findings)
        );
    }
}

fn parties(
    h: &mut String,
    id: &str,
    title: &str,
    what: &str,
    map: &std::collections::HashMap<String, Counts>,
) {
    let _ = writeln!(h, "<div><h2 id=\"{id}\">{title}</h2>");
    let mut ps: Vec<_> = map.iter().filter(|(_, c)| c.exposed() > 0).collect();
    if ps.is_empty() {
        h.push_str("<p class=\"note\">None with a blocked or warned message.</p></div>");
        return;
    }
    ps.sort_by(|x, y| {
        y.1.exposed().cmp(&x.1.exposed()).then(y.1.blocked.cmp(&x.1.blocked)).then(x.0.cmp(y.0))
    });
    let _ = write!(
        h,
        "<p class=\"note\">{} with a blocked or warned message{}.</p><table id=\"{id}-table\"><thead><tr><th>{what}</th>\
         <th class=\"n\">Blocked</th><th class=\"n\">Warned</th><th class=\"n\">Messages</th></tr></thead><tbody>",
        num(ps.len() as u64),
        if ps.len() > TOP { format!("; the first {TOP}") } else { String::new() }
    );
    for (name, c) in ps.iter().take(TOP) {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(name),
            num(c.blocked),
            num(c.warned),
            num(c.messages)
        );
    }
    h.push_str("</tbody></table></div>");
}

fn rules(h: &mut String, a: &Audit) {
    h.push_str("<h2 id=\"rules\">Rules</h2>\n");
    if a.rules.is_empty() {
        h.push_str("<p class=\"note\">No rule fired.</p>\n");
        return;
    }
    h.push_str("<table id=\"rules-table\"><thead><tr><th>Rule</th><th class=\"n\">Findings</th><th class=\"n\">Messages</th></tr></thead><tbody>");
    for (rule, c) in &a.rules {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(rule),
            num(c.findings),
            num(c.messages)
        );
    }
    h.push_str("</tbody></table>\n");
}

fn row(h: &mut String, i: usize, m: &Message) {
    let date = m.date.as_deref().unwrap_or("");
    let mut records: Vec<&str> = m.findings.iter().filter_map(|f| f.record.as_deref()).collect();
    records.sort_unstable();
    records.dedup();
    let rules: Vec<String> = m.rules.iter().map(|(r, n)| format!("{} ({})", esc(r), num(*n))).collect();
    let _ = write!(
        h,
        "<tr data-i=\"{i}\"><td>{}</td><td data-v=\"{}\">{}</td><td>{}</td><td>{}</td>\
         <td class=\"v-{v}\" data-v=\"{}\">{v}</td><td class=\"n\" data-v=\"{}\">{}</td><td data-v=\"{}\">{}</td><td>{}</td><td><ul>",
        esc(&m.source),
        esc(date),
        esc(date.get(..10).unwrap_or(date)),
        esc(m.from.as_deref().unwrap_or("")),
        esc(m.subject.as_deref().unwrap_or("")),
        match m.verdict {
            Verdict::Allow => 0,
            Verdict::Warn => 1,
            Verdict::Block => 2,
        },
        m.total_findings,
        num(m.total_findings),
        records.len(),
        records.iter().map(|r| esc(r)).collect::<Vec<_>>().join(" "),
        rules.join(", "),
        v = m.verdict.as_str(),
    );
    for f in m.findings.iter().take(super::FINDINGS_PER_ROW) {
        let _ = write!(h, "<li>{} {}", esc(&f.severity), esc(&f.rule));
        if let Some(r) = &f.record {
            let _ = write!(h, " {}", esc(r));
        }
        if let Some(p) = &f.place {
            let _ = write!(h, " in {}", esc(p));
        }
        if let Some(e) = &f.excerpt {
            let _ = write!(h, ": <q>{}</q>", esc(e));
        }
        h.push_str("</li>");
    }
    let shown = m.findings.len().min(super::FINDINGS_PER_ROW) as u64;
    if m.total_findings > shown {
        let _ = write!(h, "<li>and {} more</li>", num(m.total_findings - shown));
    }
    h.push_str("</ul></td></tr>\n");
}

fn messages(h: &mut String, a: &Audit) {
    h.push_str("<h2 id=\"messages-title\">Messages with findings</h2>\n");
    if a.rows.is_empty() {
        h.push_str("<p class=\"note\">No message was blocked or warned.</p>\n");
        return;
    }
    let _ = writeln!(
        h,
        "<p class=\"note\">Click a column header to sort by it (again for the other way). Allowed messages \
         ({}) are counted, not listed. Each row lists its first {} findings.</p>",
        num(a.totals.allowed()),
        super::FINDINGS_PER_ROW
    );
    if a.rows_left_out > 0 {
        let _ = writeln!(
            h,
            "<p class=\"note\" id=\"left-out\">The table lists the first {} messages with findings; \
             {} more are counted above but not listed (<code>--max-rows</code>).</p>",
            num(a.rows.len() as u64),
            num(a.rows_left_out)
        );
    }
    h.push_str(
        "<table id=\"messages\"><thead><tr><th data-key=\"source\">Message</th><th data-key=\"date\">Date</th>\
         <th data-key=\"from\">From</th><th data-key=\"subject\">Subject</th><th data-key=\"verdict\" data-num>Verdict</th>\
         <th data-key=\"findings\" data-num class=\"n\">Findings</th><th data-key=\"records\" data-num>Records</th>\
         <th>Rules</th><th>What was found</th></tr></thead><tbody>\n",
    );
    for (i, m) in a.rows.iter().enumerate() {
        row(h, i, m);
    }
    h.push_str("</tbody></table>\n");
}

#[cfg(test)]
mod tests {
    use super::super::Reader;
    use super::*;

    fn page(lines: &[&str], max_rows: usize) -> String {
        let mut r = Reader::new(max_rows);
        for l in lines {
            r.line(l.as_bytes()).expect("good line");
        }
        render(&r.finish(), "Audit <2024>", "in<put>.jsonl")
    }

    #[test]
    fn text_from_the_input_is_escaped() {
        let line = r#"{"source":"<script>alert(1)</script>.eml","verdict":"block","date":"2024-11-12T09:14:00Z","from":"a\"b@x.example","subject":"<script>alert('s')</script> & <b>","domains":["<i>.example"],"findings":[{"rule":"<rule>","severity":"block","record":"<V01>","field":"cc","excerpt":"<img src=x onerror=alert(1)>","message":"m"}]}"#;
        let h = page(&[line], 10);
        assert!(!h.contains("<script>alert"), "{h}");
        assert!(!h.contains("<img"));
        assert!(!h.contains("<b>") && !h.contains("<i>") && !h.contains("<V01>") && !h.contains("<rule>"));
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;.eml"));
        assert!(h.contains("&lt;script&gt;alert(&#39;s&#39;)&lt;/script&gt; &amp; &lt;b&gt;"));
        assert!(h.contains("a&quot;b@x.example"));
        assert!(h.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(h.contains("<title>Audit &lt;2024&gt;</title>") && h.contains("in&lt;put&gt;.jsonl"));
        // The page's own script is the only one.
        assert_eq!(h.matches("<script").count(), 1);
    }

    #[test]
    fn totals_are_the_inputs() {
        let lines = [
            r#"{"source":"a","verdict":"block","findings":[{"rule":"protected-recipient-exposed","severity":"block","record":"V01","field":"cc","message":"m"}]}"#,
            r#"{"source":"b","verdict":"warn","findings":[{"rule":"visible-recipients","severity":"warn","message":"m"}]}"#,
            r#"{"source":"c","verdict":"warn","findings":[{"rule":"visible-recipients","severity":"warn","message":"m"}]}"#,
            r#"{"source":"d","verdict":"allow","findings":[]}"#,
        ];
        let h = page(&lines, 10);
        for (id, n) in [
            ("total-messages", 4),
            ("total-blocked", 1),
            ("total-warned", 2),
            ("total-allowed", 1),
            ("total-findings", 3),
            ("total-records", 1),
        ] {
            assert!(h.contains(&format!("id=\"{id}\" data-n=\"{n}\">{n}<")), "{id}");
        }
        assert_eq!(h.matches("<tr data-i=").count(), 3);
        assert!(h.contains("id=\"chart-none\""));
    }

    #[test]
    fn months_are_drawn_in_order_with_gaps_filled() {
        let line = |m: &str, v: &str| {
            format!(
                r#"{{"source":"x","verdict":"{v}","date":"{m}-03T10:00:00Z","findings":[{{"rule":"r","severity":"{v}","message":"m"}}]}}"#
            )
        };
        let lines = [
            line("2024-11", "block"),
            line("2025-02", "warn"),
            line("2024-11", "warn"),
            line("2025-02", "block"),
        ];
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let h = page(&refs, 10);
        let months: Vec<&str> = h.split("data-month=\"").skip(1).map(|s| &s[..7]).collect();
        assert_eq!(months, ["2024-11", "2024-12", "2025-01", "2025-02"]);
        assert!(h.contains("data-month=\"2024-11\" data-blocked=\"1\" data-warned=\"1\""));
        assert!(h.contains("data-month=\"2024-12\" data-blocked=\"0\" data-warned=\"0\""));
        assert!(h.contains("<svg id=\"chart\""));
    }

    #[test]
    fn long_spans_draw_the_latest_months_and_say_so() {
        let line = |y: u32| {
            format!(
                r#"{{"source":"x","verdict":"block","date":"{y}-01-01T00:00:00Z","findings":[{{"rule":"r","severity":"block","message":"m"}}]}}"#
            )
        };
        let lines = [line(2000), line(2024)];
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let h = page(&refs, 10);
        assert_eq!(h.matches("data-month=").count(), MAX_MONTHS);
        assert!(h.contains("1 earlier message (1 blocked, 0 warned)"));
    }

    #[test]
    fn empty_input_is_a_page_of_zeros() {
        let h = page(&[], 10);
        assert!(h.starts_with("<!DOCTYPE html>") && h.ends_with("</html>\n"));
        assert!(h.contains("id=\"total-messages\" data-n=\"0\">0<"));
        assert!(h.contains("No message was blocked or warned."));
        assert!(!h.contains("id=\"messages\""));
    }

    #[test]
    fn the_cap_is_said() {
        let line =
            r#"{"source":"x","verdict":"warn","findings":[{"rule":"r","severity":"warn","message":"m"}]}"#;
        let h = page(&[line; 7], 4);
        assert_eq!(h.matches("<tr data-i=").count(), 4);
        assert!(h.contains("lists the first 4 messages with findings; 3 more"));
    }

    #[test]
    fn nothing_is_loaded_from_elsewhere() {
        let line = r#"{"source":"https://x.example/a.eml","verdict":"warn","date":"2024-11-12T09:14:00Z","findings":[{"rule":"r","severity":"warn","excerpt":"url(http://x.example/) src=x","message":"m"}]}"#;
        let h = page(&[line], 10);
        assert!(h.contains("<svg id=\"chart\""));
        // The input's text is there, escaped, and is no load either: leave it out of the search.
        let h = h.replace("https://x.example/a.eml", "").replace("url(http://x.example/) src=x", "");
        for s in ["http://", "https://", "src=", "@import", "url("] {
            let hits: Vec<_> = h.match_indices(s).map(|(i, _)| &h[i.saturating_sub(30)..i + 30]).collect();
            // The SVG namespace is a name, not a load.
            assert!(hits.iter().all(|c| c.contains("xmlns=\"http://www.w3.org/2000/svg\"")), "{s}: {hits:?}");
        }
    }

    #[test]
    fn ceilings() {
        assert_eq!([1, 2, 3, 7, 10, 11, 99, 101].map(nice_ceiling), [1, 2, 5, 10, 10, 20, 100, 200]);
        assert_eq!(month_range((2024, 11), (2025, 2)).len(), 4);
    }
}
