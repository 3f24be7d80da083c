//! The policy: which domains are internal, how many visible recipients are too many, and the
//! limits that bound the work done on one message.

use serde::Deserialize;

use crate::address;
use crate::detect::{Confidence, Detector};
use crate::error::{Error, Result};
use crate::model::{Limits, Severity, MAX_DEPTH_CEILING};

/// The settings a [`Scanner`](crate::Scanner) applies.
///
/// ```
/// use maildlp::Policy;
/// let from_code = Policy::builder().internal_domain("met.example").max_visible_recipients(5).build()?;
/// let from_toml = Policy::from_toml("internal_domains = [\"met.example\"]\nmax_visible_recipients = 5")?;
/// assert_eq!(from_code, from_toml);
/// # Ok::<(), maildlp::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    internal_domains: Vec<String>,
    partner_domains: Vec<String>,
    max_visible_recipients: usize,
    limits: Limits,
    max_reported_findings: usize,
    detectors: Vec<Detector>,
    detector_confidence: Confidence,
    sensitive_data_severity: Severity,
    name_variants: bool,
    ocr: bool,
    ocr_languages: Vec<String>,
    max_list_records: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            internal_domains: Vec::new(),
            partner_domains: Vec::new(),
            max_visible_recipients: 10,
            limits: Limits::default(),
            max_reported_findings: DEFAULT_MAX_REPORTED_FINDINGS,
            detectors: Vec::new(),
            detector_confidence: Confidence::High,
            sensitive_data_severity: Severity::Warn,
            name_variants: false,
            ocr: false,
            ocr_languages: vec!["eng".to_string()],
            max_list_records: DEFAULT_MAX_LIST_RECORDS,
        }
    }
}

impl Policy {
    /// A builder starting from the defaults.
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// Reads a policy from TOML text. Every key is optional; an unknown key or a value of the
    /// wrong type is an error that names it.
    pub fn from_toml(text: &str) -> Result<Policy> {
        PolicyBuilder::from_toml(text)?.build()
    }

    /// Internal domains, canonical (lower-case). Their subdomains are internal too.
    pub fn internal_domains(&self) -> &[String] {
        &self.internal_domains
    }

    /// Partner domains, canonical (lower-case), subdomains included: addresses there may
    /// receive every record's identifiers and see protected addresses (they are not "others"
    /// for `protected-identifier` and `protected-recipient-exposed`), but they are external, so
    /// they count towards `visible-recipients` and reach `sensitive-data`: a partner sees
    /// whom a message names, yet a dozen outsiders in Cc still see each other.
    pub fn partner_domains(&self) -> &[String] {
        &self.partner_domains
    }

    /// The most distinct external visible recipients allowed before `visible-recipients` warns.
    pub fn max_visible_recipients(&self) -> usize {
        self.max_visible_recipients
    }

    /// The limits on one scan.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The most findings a report lists; past it, the report keeps the first ones and a
    /// summary counts them all.
    pub fn max_reported_findings(&self) -> usize {
        self.max_reported_findings
    }

    /// The most records a protected list may have (`max_list_records`, default 100,000,000):
    /// a bigger list is refused with an error that says so, before it takes the memory it
    /// would need.
    pub fn max_list_records(&self) -> usize {
        self.max_list_records
    }

    /// The sensitive-data detectors enabled (none by default).
    pub fn detectors(&self) -> &[Detector] {
        &self.detectors
    }

    /// The least confidence a detected value needs to be a `sensitive-data` finding: `high`
    /// (the default) reports values with evidence near them or heading their column; `low`
    /// reports every valid value.
    pub fn detector_confidence(&self) -> Confidence {
        self.detector_confidence
    }

    /// The severity of a `sensitive-data` finding (`warn` by default).
    pub fn sensitive_data_severity(&self) -> Severity {
        self.sensitive_data_severity
    }

    /// Whether a listed name is also found through the nicknames and transliterations of its
    /// given name (`name_variants`, off by default): `William Smith` as `Bill Smith`,
    /// `Mohammed Khan` as `Muhammad Khan`. A finding through a variant says so.
    pub fn name_variants(&self) -> bool {
        self.name_variants
    }

    /// Whether the text of images is read by OCR (`ocr`, default false; see `docs/reference.md`).
    pub fn ocr(&self) -> bool {
        self.ocr
    }

    /// The languages OCR reads, as Tesseract names them (`ocr_languages`, default `["eng"]`).
    pub fn ocr_languages(&self) -> &[String] {
        &self.ocr_languages
    }
}

/// Findings a report lists before it summarises (`max_reported_findings`).
pub const DEFAULT_MAX_REPORTED_FINDINGS: usize = 100;

/// The most records a protected list may have unless the policy says otherwise
/// (`max_list_records`).
pub const DEFAULT_MAX_LIST_RECORDS: usize = 100_000_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    internal_domains: Option<Vec<String>>,
    partner_domains: Option<Vec<String>>,
    max_visible_recipients: Option<usize>,
    max_message_bytes: Option<usize>,
    max_depth: Option<usize>,
    max_parts: Option<usize>,
    max_extracted_bytes: Option<u64>,
    max_archive_entries: Option<usize>,
    max_reported_findings: Option<usize>,
    detectors: Option<Vec<String>>,
    detector_confidence: Option<String>,
    sensitive_data_severity: Option<String>,
    name_variants: Option<bool>,
    ocr: Option<bool>,
    ocr_languages: Option<Vec<String>>,
    max_ocr_pixels: Option<u64>,
    max_list_records: Option<usize>,
}

/// Builds a [`Policy`]: from the defaults, from TOML, then adjusted from code (the CLI's flags
/// add domains and override numbers this way).
#[derive(Debug, Clone, Default)]
pub struct PolicyBuilder {
    internal_domains: Vec<String>,
    partner_domains: Vec<String>,
    max_visible_recipients: Option<usize>,
    limits: Limits,
    max_reported_findings: Option<usize>,
    detectors: Vec<String>,
    detector_confidence: Option<String>,
    sensitive_data_severity: Option<String>,
    name_variants: bool,
    ocr: Option<bool>,
    ocr_languages: Option<Vec<String>>,
    max_list_records: Option<usize>,
}

impl PolicyBuilder {
    /// Starts from the settings in TOML text.
    pub fn from_toml(text: &str) -> Result<PolicyBuilder> {
        let file: PolicyFile =
            toml::from_str(text).map_err(|e| Error::Policy(e.to_string().trim_end().to_string()))?;
        let d = Limits::default();
        Ok(PolicyBuilder {
            internal_domains: file.internal_domains.unwrap_or_default(),
            partner_domains: file.partner_domains.unwrap_or_default(),
            max_visible_recipients: file.max_visible_recipients,
            limits: Limits {
                max_message_bytes: file.max_message_bytes.unwrap_or(d.max_message_bytes),
                max_depth: file.max_depth.unwrap_or(d.max_depth),
                max_parts: file.max_parts.unwrap_or(d.max_parts),
                max_extracted_bytes: file.max_extracted_bytes.unwrap_or(d.max_extracted_bytes),
                max_archive_entries: file.max_archive_entries.unwrap_or(d.max_archive_entries),
                max_ocr_pixels: file.max_ocr_pixels.unwrap_or(d.max_ocr_pixels),
            },
            max_reported_findings: file.max_reported_findings,
            detectors: file.detectors.unwrap_or_default(),
            detector_confidence: file.detector_confidence,
            sensitive_data_severity: file.sensitive_data_severity,
            name_variants: file.name_variants.unwrap_or(false),
            ocr: file.ocr,
            ocr_languages: file.ocr_languages,
            max_list_records: file.max_list_records,
        })
    }

    /// Turns reading the text of images by OCR on or off.
    pub fn ocr(mut self, on: bool) -> Self {
        self.ocr = Some(on);
        self
    }

    /// Sets the languages OCR reads (Tesseract's names: `eng`, `ara`, `chi_sim`).
    pub fn ocr_languages<S: AsRef<str>>(mut self, languages: &[S]) -> Self {
        self.ocr_languages = Some(languages.iter().map(|l| l.as_ref().to_string()).collect());
        self
    }

    /// Adds an internal domain (`met.example` makes `mail.met.example` internal too).
    pub fn internal_domain(mut self, domain: &str) -> Self {
        self.internal_domains.push(domain.to_string());
        self
    }

    /// Adds a partner domain (`cps.example` makes `north.cps.example` a partner too): see
    /// [`Policy::partner_domains`].
    pub fn partner_domain(mut self, domain: &str) -> Self {
        self.partner_domains.push(domain.to_string());
        self
    }

    /// Sets the most distinct external visible recipients allowed.
    pub fn max_visible_recipients(mut self, n: usize) -> Self {
        self.max_visible_recipients = Some(n);
        self
    }

    /// Sets the limits on one scan.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Enables a sensitive-data detector by name (`payment-card`, `iban`, `uk-nino`,
    /// `nhs-number`); an unknown name is refused by `build`.
    pub fn detector(mut self, name: &str) -> Self {
        self.detectors.push(name.to_string());
        self
    }

    /// Sets the least confidence of a `sensitive-data` finding (`high` or `low`): see
    /// [`Policy::detector_confidence`].
    pub fn detector_confidence(mut self, confidence: &str) -> Self {
        self.detector_confidence = Some(confidence.to_string());
        self
    }

    /// Sets the severity of `sensitive-data` findings (`warn` or `block`).
    pub fn sensitive_data_severity(mut self, severity: &str) -> Self {
        self.sensitive_data_severity = Some(severity.to_string());
        self
    }

    /// Sets whether names are also found through their variants: see
    /// [`Policy::name_variants`].
    pub fn name_variants(mut self, on: bool) -> Self {
        self.name_variants = on;
        self
    }

    /// Sets the most findings a report lists before it summarises.
    pub fn max_reported_findings(mut self, n: usize) -> Self {
        self.max_reported_findings = Some(n);
        self
    }

    /// Sets the most records a protected list may have: see [`Policy::max_list_records`].
    pub fn max_list_records(mut self, n: usize) -> Self {
        self.max_list_records = Some(n);
        self
    }

    /// Validates and builds the policy.
    pub fn build(self) -> Result<Policy> {
        let domains = |key: &str, given: &[String]| -> Result<Vec<String>> {
            let mut out = Vec::with_capacity(given.len());
            for d in given {
                let c = address::canonical_domain(d)
                    .ok_or_else(|| Error::Policy(format!("{key}: {d:?} is not a domain")))?;
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            Ok(out)
        };
        let internal_domains = domains("internal_domains", &self.internal_domains)?;
        let partner_domains = domains("partner_domains", &self.partner_domains)?;
        let l = self.limits;
        for (key, v) in [
            ("max_message_bytes", l.max_message_bytes),
            ("max_depth", l.max_depth),
            ("max_parts", l.max_parts),
            ("max_extracted_bytes", l.max_extracted_bytes.min(usize::MAX as u64) as usize),
            ("max_archive_entries", l.max_archive_entries),
            ("max_ocr_pixels", l.max_ocr_pixels.min(usize::MAX as u64) as usize),
            ("max_reported_findings", self.max_reported_findings.unwrap_or(1)),
            ("max_list_records", self.max_list_records.unwrap_or(1)),
        ] {
            if v == 0 {
                return Err(Error::Policy(format!("{key} must be at least 1")));
            }
        }
        if l.max_depth > MAX_DEPTH_CEILING {
            return Err(Error::Policy(format!("max_depth must be at most {MAX_DEPTH_CEILING}")));
        }
        let mut detectors = Vec::new();
        for name in &self.detectors {
            let d = Detector::from_name(name).ok_or_else(|| {
                let known: Vec<&str> = Detector::ALL.iter().map(|d| d.name()).collect();
                Error::Policy(format!("detectors: unknown detector {name:?} (known: {})", known.join(", ")))
            })?;
            if !detectors.contains(&d) {
                detectors.push(d);
            }
        }
        let detector_confidence = match self.detector_confidence.as_deref() {
            None => Confidence::High,
            Some(name) => Confidence::from_name(name).ok_or_else(|| {
                Error::Policy(format!("detector_confidence: {name:?} is neither \"high\" nor \"low\""))
            })?,
        };
        let sensitive_data_severity = match self.sensitive_data_severity.as_deref() {
            None | Some("warn") => Severity::Warn,
            Some("block") => Severity::Block,
            Some(other) => {
                return Err(Error::Policy(format!(
                    "sensitive_data_severity: {other:?} is neither \"warn\" nor \"block\""
                )))
            }
        };
        let ocr_languages = self.ocr_languages.unwrap_or_else(|| vec!["eng".to_string()]);
        if ocr_languages.is_empty() {
            return Err(Error::Policy("ocr_languages must name at least one language".to_string()));
        }
        if let Some(bad) = ocr_languages
            .iter()
            .find(|l| l.is_empty() || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        {
            return Err(Error::Policy(format!("ocr_languages: {bad:?} is not a Tesseract language name")));
        }
        let ocr = self.ocr.unwrap_or(false);
        if ocr && !cfg!(feature = "ocr") {
            return Err(Error::Policy(
                "ocr: this build of maildlp has no OCR (cargo feature `ocr`)".to_string(),
            ));
        }
        Ok(Policy {
            internal_domains,
            partner_domains,
            max_visible_recipients: self.max_visible_recipients.unwrap_or(10),
            limits: self.limits,
            max_reported_findings: self.max_reported_findings.unwrap_or(DEFAULT_MAX_REPORTED_FINDINGS),
            detectors,
            detector_confidence,
            sensitive_data_severity,
            name_variants: self.name_variants,
            ocr,
            ocr_languages,
            max_list_records: self.max_list_records.unwrap_or(DEFAULT_MAX_LIST_RECORDS),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let p = Policy::default();
        assert_eq!(p.max_visible_recipients(), 10);
        assert!(p.internal_domains().is_empty());
        assert_eq!(Policy::from_toml("").unwrap(), p);
    }

    #[test]
    fn toml_keys() {
        let p = Policy::from_toml(
            "internal_domains = [\"Met.Example\", \"police.example\"]\nmax_visible_recipients = 3\nmax_depth = 4\nmax_parts = 50\nmax_message_bytes = 1000\nmax_extracted_bytes = 5000\nmax_archive_entries = 7\nmax_reported_findings = 9\n",
        )
        .unwrap();
        assert_eq!(p.internal_domains(), ["met.example", "police.example"]);
        assert_eq!(p.max_visible_recipients(), 3);
        assert_eq!(
            p.limits(),
            Limits {
                max_message_bytes: 1000,
                max_depth: 4,
                max_parts: 50,
                max_extracted_bytes: 5000,
                max_archive_entries: 7,
                max_ocr_pixels: 50_000_000,
            }
        );
        assert_eq!(p.max_reported_findings(), 9);
        assert!(!p.ocr(), "OCR is off unless the policy turns it on");
        assert_eq!(p.ocr_languages(), ["eng"]);
        let p = Policy::from_toml("ocr_languages = [\"eng\", \"chi_sim\"]\nmax_ocr_pixels = 1000").unwrap();
        assert_eq!(p.ocr_languages(), ["eng", "chi_sim"]);
        assert_eq!(p.limits().max_ocr_pixels, 1000);
        assert!(Policy::from_toml("ocr_languages = []").is_err());
        assert!(Policy::from_toml("ocr_languages = [\"eng/../x\"]").is_err());
        assert!(Policy::from_toml("max_ocr_pixels = 0").is_err());
        let p = Policy::from_toml(
            "detectors = [\"payment-card\", \"iban\", \"iban\"]\nsensitive_data_severity = \"block\"",
        )
        .unwrap();
        assert_eq!(p.detectors(), [Detector::PaymentCard, Detector::Iban]);
        assert_eq!(p.sensitive_data_severity(), Severity::Block);
        assert_eq!(Policy::default().sensitive_data_severity(), Severity::Warn);
        assert!(Policy::default().detectors().is_empty());
        assert_eq!(Policy::default().detector_confidence(), Confidence::High);
        let p = Policy::from_toml("detector_confidence = \"low\"").unwrap();
        assert_eq!(p.detector_confidence(), Confidence::Low);
        assert_eq!(p, Policy::builder().detector_confidence("low").build().unwrap());
        assert!(!Policy::default().name_variants());
        let p = Policy::from_toml("name_variants = true").unwrap();
        assert!(p.name_variants());
        assert_eq!(p, Policy::builder().name_variants(true).build().unwrap());
        assert!(!Policy::from_toml("name_variants = false").unwrap().name_variants());
        assert_eq!(Policy::default().max_list_records(), 100_000_000);
        let p = Policy::from_toml("max_list_records = 5000").unwrap();
        assert_eq!(p.max_list_records(), 5000);
        assert_eq!(p, Policy::builder().max_list_records(5000).build().unwrap());
        assert!(Policy::from_toml("max_list_records = 0").is_err());
    }

    #[test]
    fn errors_name_the_key() {
        struct T {
            input: &'static str,
            key: &'static str,
        }
        let tests = [
            T { input: "internal_domain = [\"x.example\"]", key: "internal_domain" },
            T { input: "max_visible_recipients = \"ten\"", key: "max_visible_recipients" },
            T { input: "max_visible_recipients = -1", key: "max_visible_recipients" },
            T { input: "internal_domains = \"x.example\"", key: "internal_domains" },
            T { input: "internal_domains = [\"not a domain\"]", key: "internal_domains" },
            T { input: "max_parts = 0", key: "max_parts" },
            T { input: "detector_confidence = \"medium\"", key: "detector_confidence" },
            T { input: "max_depth = 100000", key: "max_depth" },
            T { input: "max_extracted_bytes = 0", key: "max_extracted_bytes" },
            T { input: "max_archive_entries = \"many\"", key: "max_archive_entries" },
            T { input: "max_reported_findings = 0", key: "max_reported_findings" },
            T { input: "detectors = [\"ssn\"]", key: "detectors" },
            T { input: "detectors = \"iban\"", key: "detectors" },
            T { input: "sensitive_data_severity = \"high\"", key: "sensitive_data_severity" },
            T { input: "name_variants = \"yes\"", key: "name_variants" },
        ];
        for t in tests {
            let err = Policy::from_toml(t.input).unwrap_err().to_string();
            assert!(err.contains(t.key), "{:?} -> {err}", t.input);
        }
    }

    #[test]
    fn builder_adds_domains_and_overrides_numbers() {
        let p = PolicyBuilder::from_toml("internal_domains = [\"a.example\"]\nmax_visible_recipients = 3")
            .unwrap()
            .internal_domain("b.example")
            .max_visible_recipients(7)
            .build()
            .unwrap();
        assert_eq!(p.internal_domains(), ["a.example", "b.example"]);
        assert_eq!(p.max_visible_recipients(), 7);
    }
}
