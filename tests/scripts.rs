//! Names as the world writes them: per script, a listed form against a written form, and whether
//! the written one is that identifier (docs/matching.md, "Scripts"). Every case runs through a
//! plain list and the same list sealed; a found name's excerpt shows nothing of it but the first
//! letter of each word. Property tests write an Arabic-script name in random equivalent forms
//! (Persian or Arabic letters, hamza, tatweel, harakat, presentation forms) and a phone in random
//! scripts' digits, and change one letter or digit to check the change is no match.

use maildlp::__private::normalize;
use maildlp::{Detail, Policy, ProtectedList, Rule, Scanner};
use proptest::prelude::*;

fn message(body: &str) -> Vec<u8> {
    format!(
        "From: a@police.example\r\nTo: press@paper.example\r\nSubject: note\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}

/// The plain and the sealed scanner of a list of one record `R1` holding `value` of `kind`.
fn scanners(kind: &str, value: &str, policy: &str) -> [(&'static str, Scanner); 2] {
    let csv = format!("id,kind,value\nR1,{kind},\"{value}\"\n");
    let list = ProtectedList::from_csv(&csv).unwrap();
    let key = maildlp::list::Key::generate().unwrap();
    let sealed = maildlp::list::SealedList::open(&maildlp::list::seal(&list, &key), &key).unwrap();
    let policy = || Policy::from_toml(policy).unwrap();
    [("plain", Scanner::new(list, policy())), ("sealed", Scanner::new(sealed, policy()))]
}

/// The excerpts of the protected-identifier findings of `body` scanned by `scanner`.
fn excerpts(scanner: &Scanner, body: &str) -> Vec<String> {
    let report = scanner.scan(&message(body));
    report
        .findings()
        .iter()
        .filter(|f| f.rule == Rule::ProtectedIdentifier)
        .filter_map(|f| match &f.detail {
            Detail::Identifier { record, excerpt, .. } if record == "R1" => Some(excerpt.clone()),
            _ => None,
        })
        .collect()
}

struct Case {
    script: &'static str,
    kind: &'static str,
    listed: &'static str,
    written: &'static str,
    found: bool,
}

const fn name(script: &'static str, listed: &'static str, written: &'static str, found: bool) -> Case {
    Case { script, kind: "name", listed, written, found }
}

const CASES: &[Case] = &[
    // Hiragana and katakana spell the same sounds.
    name("japanese", "サトウ ハナコ", "きのうさとうはなこさんが", true),
    name("japanese", "さとう はなこ", "昨日サトウハナコさんが", true),
    name("japanese", "さとう はなこ", "昨日サトウハナゴさんが", false),
    // Cased scripts: a name is the same name in capitals, small letters and as a title.
    name("cyrillic", "Юрий Петров", "юрий петров пришёл", true),
    name("cyrillic", "Юрий Петров", "ЮРИЙ ПЕТРОВ", true),
    name("cyrillic", "ЮРИЙ ПЕТРОВ", "Юрий Петров", true),
    name("cyrillic", "Наталья Иванова", "НАТАЛЬЯ иванова", true),
    name("cyrillic", "Юрий Петров", "Юрий Петрова", false),
    name("cyrillic", "Юрий Петров", "Юрий Пeтрок", false),
    name("greek", "Νίκος Παπαδόπουλος", "ΝΙΚΟΣ ΠΑΠΑΔΟΠΟΥΛΟΣ", true),
    name("greek", "ΝΙΚΟΣ ΠΑΠΑΔΟΠΟΥΛΟΣ", "νίκος παπαδόπουλος", true),
    name("greek", "Νίκος Παπαδόπουλος", "Νίκος Παπαδάκης", false),
    name("armenian", "Արամ Պետրոսյան", "ԱՐԱՄ ՊԵՏՐՈՍՅԱՆ", true),
    name("armenian", "Արամ Պետրոսյան", "արամ պետրոսյան", true),
    name("georgian", "Ნინო Ბერიძე", "ნინო ბერიძე", true),
    // A Latin name with look-alike letters of another script, in either case.
    name("lookalike", "John Hart", "JOНN НАRT", true),
    name("lookalike", "John Hart", "Jоhn Hаrt", true),
    // Arabic script: the forms a reader takes for one letter.
    name("arabic", "محمد كريمي", "محمد کریمی", true),
    name("persian", "کریم احمدی", "كريـــم احمدي", true),
    name("persian", "علی‌رضا", "علیرضا", true),
    name("arabic", "مُحَمَّد", "محمد", true),
    name("arabic", "محمد", "مُحَمَّدٌ", true),
    name("arabic", "أحمد", "احمد", true),
    name("arabic", "احمد", "إحمد", true),
    name("arabic", "آمنة", "امنه", true),
    name("arabic", "أحمد", "ا\u{654}حمد", true),
    name("arabic", "عبد الرحمن", "عبد ٱلرحمن", true),
    name("arabic", "مصطفى", "مصطفي", true),
    name("persian", "مصطفی", "مصطفى", true),
    name("urdu", "عیسے", "عيسى", true),
    name("arabic", "فاطمة زهراء", "فاطمه زهراء", true),
    name("urdu", "فاطمہ", "فاطمة", true),
    name("urdu", "بھٹو", "بهٹو", true),
    name("arabic", "مؤمن", "مومن", true),
    name("arabic", "هانئ", "هاني", true),
    name("arabic", "محمد", "ﻣﺤﻤﺪ", true),
    name("arabic", "خالد", "في الرسالة: خالد، والسلام", true),
    // Different letters, and names inside longer words.
    name("arabic", "ثامر", "تامر", false),
    name("arabic", "شريف", "سريف", false),
    name("persian", "پاشا", "باشا", false),
    name("arabic", "محمد", "محمود", false),
    name("arabic", "أحمد", "أحمدي", false),
    name("arabic", "فاطمة", "فاطمتي", false),
    // Japanese: kanji and kana inside a sentence, voicing marks kept, half-width katakana.
    name("japanese", "山田太郎", "昨日山田太郎さんが来ました。", true),
    name("japanese", "さくら", "きのうさくらさんにあいました", true),
    name("japanese", "カトウ", "カトウさんへ", true),
    name("japanese", "カトウ", "ｶﾄｳさんへ", true),
    name("japanese", "ガトウ", "ｶﾞﾄｳさんへ", true),
    name("japanese", "ガトウ", "カトウさんへ", false),
    name("japanese", "サトカ", "サトガさんへ", false),
    name("japanese", "サトガ", "サト\u{ad}ｶ\u{200b}ﾞさんへ", true),
    name("japanese", "山田", "山本さんが来ました", false),
    name("japanese", "山田", "山に登った", false),
    // Chinese: a one-character string inside a longer name is no match for a two-character name.
    name("chinese", "张伟", "证人是张伟。", true),
    name("chinese", "张伟", "证人是张三。", false),
    name("chinese", "张伟", "张", false),
    // Thai: no spaces between words; vowel and tone marks tell names apart.
    name("thai", "สมชาย ใจดี", "วันนี้สมชายใจดีมาทำงาน", true),
    name("thai", "สมศักดิ์", "คุณสมศักดิ์โทรมา", true),
    name("thai", "สมศักดิ์", "คุณสมศักดโทรมา", false),
    name("thai", "มานี", "มานะมาแล้ว", false),
    name("thai", "สมศักด", "คุณสมศักดิ์โทรมา", false),
    // A stray mark of those scripts glued to a Latin name does not hide it.
    name("latin", "Jane Doe", "from Jane Doe\u{e34}\u{e34}, Jane\u{3099}", true),
    // Korean: a name followed by a particle.
    name("korean", "김민수", "김민수씨가 왔어요", true),
    name("korean", "김민수", "어제 김민수가 전화했습니다", true),
    name("korean", "김민수", "김민준씨가 왔어요", false),
    // Digits of every script in phones, terms and patterns.
    Case {
        script: "digits",
        kind: "phone",
        listed: "+44 20 7946 0018",
        written: "رقم ٠٢٠ ٧٩٤٦ ٠٠١٨",
        found: true,
    },
    Case {
        script: "digits",
        kind: "phone",
        listed: "+44 20 7946 0018",
        written: "شماره ۰۲۰ ۷۹۴۶ ۰۰۱۸",
        found: true,
    },
    Case {
        script: "digits",
        kind: "phone",
        listed: "+44 20 7946 0018",
        written: "फ़ोन ०२० ७९४६ ००१८",
        found: true,
    },
    Case {
        script: "digits",
        kind: "phone",
        listed: "+44 20 7946 0018",
        written: "ফোন ০২০ ৭৯৪৬ ০০১৮",
        found: true,
    },
    Case {
        script: "digits",
        kind: "phone",
        listed: "+44 20 7946 0018",
        written: "電話 ０２０ ７９４６ ００１８",
        found: true,
    },
    Case {
        script: "digits",
        kind: "phone",
        listed: "۰۲۰ ۷۹۴۶ ۰۰۱۸",
        written: "call +44 20 7946 0018",
        found: true,
    },
    Case {
        script: "digits",
        kind: "phone",
        listed: "+44 20 7946 0018",
        written: "رقم ٠٢٠ ٧٩٤٦ ٠٠١٩",
        found: false,
    },
    Case {
        script: "digits",
        kind: "term",
        listed: "Case 4471",
        written: "about case ٤٤٧١ today",
        found: true,
    },
    Case {
        script: "digits",
        kind: "pattern",
        listed: r"CRIS-\d{7}",
        written: "ref CRIS-٤٤٧١١٢٣ attached",
        found: true,
    },
    Case {
        script: "digits",
        kind: "pattern",
        listed: r"CRIS-\d{7}",
        written: "ref CRIS-४४७११२३ attached",
        found: true,
    },
    Case {
        script: "digits",
        kind: "pattern",
        listed: r"CRIS-[0-9]{7}",
        written: "ref CRIS-٤٤٧١١٢٣ attached",
        found: false,
    },
];

#[test]
fn table() {
    let mut failures = Vec::new();
    for case in CASES {
        for (what, scanner) in scanners(case.kind, case.listed, "") {
            let got = excerpts(&scanner, case.written);
            if got.is_empty() == case.found {
                failures.push(format!(
                    "{} {}: listed {:?}, written {:?}, {what} list: want found={}, got {got:?}",
                    case.script, case.kind, case.listed, case.written, case.found
                ));
                continue;
            }
            // The excerpt shows nothing of the name: neither the written form nor, folded,
            // the listed one.
            for ex in &got {
                let leaks = ex.contains(case.written.trim())
                    || (case.kind == "name" && normalize(ex).contains(&normalize(case.listed)));
                if leaks && case.written.chars().count() > 1 {
                    failures.push(format!(
                        "{} {}: excerpt {ex:?} shows {:?}",
                        case.script, case.kind, case.written
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Digits of every script in the detectors: values found with their evidence, check digits
/// still checked.
#[test]
fn detectors_read_digits_of_every_script() {
    let policy = "detectors = [\"nhs-number\", \"payment-card\", \"iban\", \"uk-nino\"]\n";
    let [(_, scanner), _] = scanners("name", "Nobody Listed", policy);
    let found = |body: &str| -> Vec<&'static str> {
        scanner
            .scan(&message(body))
            .findings()
            .iter()
            .filter_map(|f| match &f.detail {
                Detail::SensitiveData { detector, .. } => Some(*detector),
                _ => None,
            })
            .collect()
    };
    assert_eq!(found("NHS number ٩٤٣ ٤٧٦ ٥٩١٩"), ["nhs-number"]);
    assert!(found("NHS number ۹۴۳ ۴۷۶ ۵۹۱۸").is_empty());
    assert_eq!(found("card ४१११ ११११ ११११ ११११"), ["payment-card"]);
    assert_eq!(found("IBAN GB۸۲ WEST ۱۲۳۴ ۵۶۹۸ ۷۶۵۴ ۳۲"), ["iban"]);
    assert_eq!(found("national insurance AB ১২ ৩৪ ৫৬ C"), ["uk-nino"]);
}

/// Letters of an Arabic-script name and the forms each may be written in (the first is the
/// listed one).
const FORMS: &[&[&str]] = &[
    &["ا", "أ", "إ", "آ", "ٱ", "ا\u{654}"],
    &["ك", "ک", "ڪ"],
    &["ي", "ی", "ى", "ئ", "ے"],
    &["ه", "ہ", "ھ", "ە"],
    &["و", "ؤ"],
];

/// Letters with no other form here, from which a changed letter is picked.
const PLAIN: &[&str] =
    &["ب", "ت", "ث", "ج", "ح", "خ", "د", "ر", "س", "ش", "ص", "ع", "ف", "ق", "ل", "م", "ن", "پ", "چ", "گ"];

/// A listed name: for each letter, an index into [`FORMS`] (0 to 4) or into [`PLAIN`] (5 on).
fn arabic_name() -> impl Strategy<Value = Vec<Vec<usize>>> {
    proptest::collection::vec(proptest::collection::vec(0usize..5 + PLAIN.len(), 2..7), 1..4)
}

fn letter(i: usize, form: usize) -> &'static str {
    match FORMS.get(i) {
        Some(forms) => forms[form % forms.len()],
        None => PLAIN[i - FORMS.len()],
    }
}

/// The name written with the listed letters (the first form of each), one word per entry.
fn listed(name: &[Vec<usize>]) -> String {
    name.iter().map(|w| w.iter().map(|&i| letter(i, 0)).collect::<String>()).collect::<Vec<_>>().join(" ")
}

const HARAKAT: &[&str] =
    &["", "", "\u{64e}", "\u{64f}", "\u{650}", "\u{651}", "\u{652}", "\u{64b}", "\u{670}"];

proptest! {
    #![proptest_config(proptest::test_runner::Config { cases: 200, rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6169_6c64_6c70), ..proptest::test_runner::Config::default() })]

    /// Any equivalent writing of the name is found; the name with one letter changed is not.
    #[test]
    fn arabic_names_in_any_equivalent_form(
        name in arabic_name(),
        forms in proptest::collection::vec(0usize..6, 24),
        marks in proptest::collection::vec((0usize..HARAKAT.len(), 0u8..4), 24),
        change in (0usize..24, 0usize..PLAIN.len()),
    ) {
        let list = listed(&name);
        let mut k = 0;
        let mut written = String::new();
        for (w, word) in name.iter().enumerate() {
            if w > 0 {
                written.push(' ');
            }
            for &i in word {
                written.push_str(letter(i, forms[k % 24]));
                written.push_str(HARAKAT[marks[k % 24].0]);
                written.push_str(match marks[k % 24].1 { 1 => "ـ", 2 => "\u{200c}", _ => "" });
                k += 1;
            }
        }
        let body = format!("السلام عليكم، {written} في الملف");
        for (what, scanner) in scanners("name", &list, "") {
            prop_assert!(!excerpts(&scanner, &body).is_empty(), "{} not found in {} ({})", list, written, what);
        }
        // One letter changed for another that is no form of it.
        let letters: usize = name.iter().map(Vec::len).sum();
        let at = change.0 % letters;
        let mut changed = name.clone();
        let mut seen = 0;
        for word in &mut changed {
            for i in word.iter_mut() {
                if seen == at {
                    let mut new = FORMS.len() + change.1;
                    if new == *i {
                        new = FORMS.len() + (change.1 + 1) % PLAIN.len();
                    }
                    *i = new;
                }
                seen += 1;
            }
        }
        let other = listed(&changed);
        let body = format!("السلام عليكم، {other} في الملف");
        for (what, scanner) in scanners("name", &list, "") {
            prop_assert!(excerpts(&scanner, &body).is_empty(), "{} found in {} ({})", list, other, what);
        }
    }

    /// A name of a script without spaces, inside a run of its script (context from letters the
    /// names never hold), katakana full- or half-width at random: found; one character (or
    /// syllable, or Thai cluster) changed: not found.
    #[test]
    fn names_inside_runs_of_their_script(
        script in 0usize..3,
        name in proptest::collection::vec(0usize..8, 2..5),
        before in proptest::collection::vec(0usize..4, 0..4),
        after in proptest::collection::vec(0usize..4, 0..4),
        half in proptest::collection::vec(any::<bool>(), 5),
        change in (0usize..5, 1usize..8),
    ) {
        // Units whose normalised words no other unit holds, and context of other letters.
        const KANA: [(&str, &str); 8] =
            [("カ", "ｶ"), ("ト", "ﾄ"), ("ウ", "ｳ"), ("ナ", "ﾅ"), ("コ", "ｺ"), ("ガ", "ｶﾞ"), ("サ", "ｻ"), ("ミ", "ﾐ")];
        const HANGUL: [&str; 8] = ["김", "민", "수", "이", "준", "박", "영", "희"];
        const THAI: [&str; 8] = ["สม", "ชาย", "ใจ", "ดี", "ศักดิ์", "ฝน", "นี", "วิ"];
        let context: [&str; 4] = match script {
            0 => ["ちゃん", "は", "へ", "に"],
            1 => ["씨가", "는", "에게", "어제 "],
            _ => ["คุณ", "โทร", "เรือ", "ขอ"],
        };
        let unit = |u: usize, k: usize, written: bool| -> &'static str {
            match script {
                0 if written && half[k % half.len()] => KANA[u].1,
                0 => KANA[u].0,
                1 => HANGUL[u],
                _ => THAI[u],
            }
        };
        let listed: String = name.iter().enumerate().map(|(k, &u)| unit(u, k, false)).collect();
        let around = |name: &[usize]| -> String {
            let mut out: String = before.iter().map(|&c| context[c]).collect();
            out.extend(name.iter().enumerate().map(|(k, &u)| unit(u, k, true)));
            out.extend(after.iter().map(|&c| context[c]));
            out
        };
        let [(_, plain), (_, sealed)] = scanners("name", &listed, "");
        let body = around(&name);
        prop_assert!(!excerpts(&plain, &body).is_empty(), "{} not in {}", listed, body);
        prop_assert!(!excerpts(&sealed, &body).is_empty(), "{} not in {} (sealed)", listed, body);
        let mut other = name.clone();
        let at = change.0 % other.len();
        other[at] = (other[at] + change.1) % 8;
        let body = around(&other);
        prop_assert!(excerpts(&plain, &body).is_empty(), "{} found in {}", listed, body);
        prop_assert!(excerpts(&sealed, &body).is_empty(), "{} found in {} (sealed)", listed, body);
    }

    /// A name of a cased script (Cyrillic, Greek, Armenian) listed in one mix of capitals and
    /// small letters is found written in any other mix; one letter changed is not found.
    #[test]
    fn cased_names_in_any_case(
        script in 0usize..3,
        name in proptest::collection::vec(proptest::collection::vec(0usize..12, 3..8), 2..4),
        listed_case in proptest::collection::vec(any::<bool>(), 32),
        written_case in proptest::collection::vec(any::<bool>(), 32),
        change in (0usize..32, 1usize..12),
    ) {
        // Twelve letters of each script, none of which folds like another of its script
        // (docs/matching.md names the letters that do: в and б, ο and σ, գ and զ).
        const CYRILLIC: &str = "абгджклмпфшю";
        const GREEK: &str = "αβγδεζκλμπωξ";
        const ARMENIAN: &str = "աբգդեջթժիլխծ";
        let letters: Vec<char> = [CYRILLIC, GREEK, ARMENIAN][script].chars().collect();
        let write = |name: &[Vec<usize>], case: &[bool]| -> String {
            let mut k = 0;
            let words: Vec<String> = name.iter().map(|word| {
                word.iter().map(|&l| {
                    k += 1;
                    let c = letters[l];
                    if case[k % case.len()] { c.to_uppercase().collect::<String>() } else { c.to_string() }
                }).collect()
            }).collect();
            words.join(" ")
        };
        let listed = write(&name, &listed_case);
        let [(_, plain), (_, sealed)] = scanners("name", &listed, "");
        let body = format!("Re: {} visit", write(&name, &written_case));
        prop_assert!(!excerpts(&plain, &body).is_empty(), "{} not in {}", listed, body);
        prop_assert!(!excerpts(&sealed, &body).is_empty(), "{} not in {} (sealed)", listed, body);
        let mut other = name.clone();
        let flat: usize = other.iter().map(Vec::len).sum();
        let mut at = change.0 % flat;
        for word in other.iter_mut() {
            if at < word.len() {
                word[at] = (word[at] + change.1) % 12;
                break;
            }
            at -= word.len();
        }
        let body = format!("Re: {} visit", write(&other, &written_case));
        prop_assert!(excerpts(&plain, &body).is_empty(), "{} found in {}", listed, body);
        prop_assert!(excerpts(&sealed, &body).is_empty(), "{} found in {} (sealed)", listed, body);
    }

    /// A phone written in any mix of scripts' digits is found; one digit changed is not.
    #[test]
    fn phones_in_any_digits(zeros in proptest::collection::vec(0usize..6, 11), change in (0usize..11, 1u32..10)) {
        const ZERO: [u32; 6] = ['0' as u32, 0x660, 0x6F0, 0x966, 0x9E6, 0xFF10];
        let digits = "02079460018";
        let write = |digits: &str| -> String {
            digits.chars().enumerate().map(|(k, d)| {
                let v = d.to_digit(10).unwrap();
                let c = char::from_u32(ZERO[zeros[k]] + v).unwrap();
                if k == 3 || k == 7 { format!(" {c}") } else { c.to_string() }
            }).collect()
        };
        let [(_, scanner), _] = scanners("phone", "+44 20 7946 0018", "");
        let body = format!("please call {} today", write(digits));
        prop_assert!(!excerpts(&scanner, &body).is_empty(), "{body}");
        let mut other: Vec<u32> = digits.chars().map(|d| d.to_digit(10).unwrap()).collect();
        // The trunk zero may change to no effect only at the start: change a later digit.
        let at = 1 + change.0 % 10;
        other[at] = (other[at] + change.1) % 10;
        let other: String = other.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
        let body = format!("please call {} today", write(&other));
        prop_assert!(excerpts(&scanner, &body).is_empty(), "{body}");
    }
}
