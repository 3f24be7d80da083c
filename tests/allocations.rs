//! Steady-state scanning allocates nothing per segment: normalising a segment and matching it
//! reuse the same buffers. (mail-parser's own allocations while parsing are outside this.)

use maildlp::__private::Normalized;
use maildlp::__private::{Hit, Matcher};
use maildlp::ProtectedList;

#[test]
fn a_segment_costs_no_allocation_once_buffers_are_warm() {
    let mut csv = String::from("id,kind,value\n");
    for i in 0..5_000 {
        csv.push_str(&format!("R{i},name,Person{i} Surname{i}\nR{i},email,p{i}@example.org\n"));
        if i % 10 == 0 {
            csv.push_str(&format!("R{i},phone,+44 7700 {i:06}\n"));
        }
    }
    // With name variants too: a text whose names are in the variant table but not listed
    // costs no allocation either.
    csv.push_str("V1,name,William Smith\nV2,name,Mohammed Khan\n");
    for variants in [false, true] {
        let list = ProtectedList::from_csv(&csv).unwrap();
        warm_segments_allocate_nothing(Matcher::new(Box::new(list), variants));
    }
}

fn warm_segments_allocate_nothing(matcher: Matcher) {
    let segments = [
        "Dear team, Person12 Surname12 called from +44 7700 000010 about p7@example.org.".to_string(),
        "Zoë, Renée and Søren met Ｊａｎｅ at the café; nobody listed here.".repeat(20),
        "plain words and digits 020 7946 0018 ".repeat(200),
        "Bill Jones and Muhammad Patel wrote to William Smithson; will smith".repeat(20),
    ];
    let mut norm = Normalized::new();
    let mut hits: Vec<Hit> = Vec::new();
    // Warm up: buffers grow to the largest segment.
    for s in &segments {
        hits.clear();
        norm.fill(s);
        matcher.find(s, &mut norm, &mut hits);
    }
    let counts = allocation_counter::measure(|| {
        for _ in 0..10 {
            for s in &segments {
                hits.clear();
                norm.fill(s);
                matcher.find(s, &mut norm, &mut hits);
            }
        }
    });
    assert_eq!(counts.count_total, 0, "{counts:?}");
    // The buffers did their work: the first segment's name, phone and address are found.
    hits.clear();
    norm.fill(&segments[0]);
    matcher.find(&segments[0], &mut norm, &mut hits);
    let kinds: Vec<String> = hits.iter().map(|h| h.kind.to_string()).collect();
    assert_eq!(kinds, ["name", "email", "phone"], "{hits:?}");
}
